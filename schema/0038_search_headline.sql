-- 0038: a thread hit's headline over its title and a bounded prefix of its opening post
-- (issue 20, target 3). ts_headline parses and stems every word of the text it is given,
-- about 0.13 ms per KB on this machine whatever the query, and a search page makes up to
-- 21 of them. A search of all kinds lists threads first (titles outrank post text), each
-- headlined over its title and its whole opening post (1 KB on average at 2.5M posts, up
-- to 16 KB): 4-5 ms of a 12 ms search at the median, 8-9 ms at p95 (in PostgreSQL).
--
-- A thread is found by its title (threads.search is the title's vector), so the title
-- always holds the match and the opening post is only context; a headline shows at most
-- 2 fragments of 30 words, about 400 characters. So a thread hit's opening post is cut to
-- search_headline_prefix() characters, at a word boundary so that no half word is shown
-- or matched. What that gives up: a second fragment from further down a long opening
-- post. Posts and ideas keep the whole text: a post's match may be anywhere in it, and a
-- prefix that holds one word of an AND but not the place where they meet is headlined
-- with that word alone (ts_headline marks the first words when it finds no cover), so
-- the prefix could not be trusted without a second parse to check it.

CREATE FUNCTION search_headline_prefix() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 400';

-- The search page's headline for query q of title (a thread hit's, holding a match of q;
-- '' for other hits) followed by body: the matches between \x01 and \x02, which are
-- removed from the text first so that the C side (forum/search.c) turns only these into
-- <mark>.
CREATE FUNCTION search_headline(title text, body text, q tsquery) RETURNS text
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    opts CONSTANT text := E'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "';
    n CONSTANT integer := search_headline_prefix();
    h text;
BEGIN
    title := translate(coalesce(title, ''), E'\x01\x02', '');
    body := coalesce(body, '');
    IF title <> '' AND length(body) > n THEN
        -- a word cut in two could show, or even match, as a shorter word
        h := ts_headline('english', title || E'\n' || translate(CASE WHEN substr(body, n + 1, 1) ~ '\s'
            THEN left(body, n) ELSE regexp_replace(left(body, n), '\S+$', '') END, E'\x01\x02', ''), q, opts);
        -- never expected to be false (the title matches): the whole text as before
        IF strpos(h, E'\x01') > 0 THEN
            RETURN h;
        END IF;
    END IF;
    RETURN ts_headline('english', CASE WHEN title = '' THEN '' ELSE title || E'\n' END
                                  || translate(body, E'\x01\x02', ''), q, opts);
END;
$fn$;
