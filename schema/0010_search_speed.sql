-- Similar titles that stay fast as the forum grows (measured at 2,500,000 posts / 164,000
-- threads, docs/performance.md).
--
-- Similar titles: the GIN trigram index answered `title_key % key`, which hands every
-- title sharing enough trigrams to the recheck and the sort — 350 ms at 164k threads. A
-- GiST trigram index returns titles nearest first (`title_key <-> key`, k-nearest-neighbour
-- order straight from the index), so the query reads a few dozen candidates whatever the
-- size of the forum, and scores only those.
DROP INDEX threads_title_key_trgm;
CREATE INDEX threads_title_key_trgm ON threads USING gist (title_key gist_trgm_ops) WHERE state = 'visible';
COMMENT ON INDEX threads_title_key_trgm IS '/api/v1/threads/similar: ORDER BY title_key <-> search_title_key($1)';
