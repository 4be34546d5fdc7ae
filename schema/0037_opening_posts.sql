-- 0037: the opening post of a thread found through an index.
--
-- Lists and the thread page ask, for every thread they show, for its opening post (its id,
-- and since 0034 whether it was posted without its author's name: FORUM_THREAD_ANON). With
-- only posts_thread_path to go by, PostgreSQL read every post of each thread to find the one
-- without a parent: a signed-in home page (31 threads, about 65 posts each at 250k posts)
-- spent 2.9 ms in it, 0.8 ms with this index (EXPLAIN ANALYZE, docs/performance.md). It
-- holds one row per thread, so it stays small.
CREATE INDEX posts_opening ON posts (thread_id, id) WHERE parent_id IS NULL;
COMMENT ON INDEX posts_opening IS 'the opening post of a thread (first_post_id, FORUM_THREAD_ANON)';
