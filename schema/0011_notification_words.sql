-- 0011: notifications people can read: an excerpt of the post they are about, and a
-- notice to the author when a moderator approves a held post.

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('reply', 'mention', 'watch', 'moderation', 'approved'));

-- A post's rendered HTML as one line of plain text of at most n characters, cut at a word
-- with an ellipsis. Block tags become spaces, inline ones nothing ("see <a>IDEA-1</a>."). Stripped HTML rather than the Markdown source, so no markup shows;
-- cmark escapes only & < > " (and the pipeline ' as &#39;), so those are all to decode.
CREATE FUNCTION post_excerpt(html text, n integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(s) <= n THEN s
                ELSE coalesce(nullif(regexp_replace(left(s, n - 1), '\s+\S*$', ''), ''), left(s, n - 1)) || '…'
           END
    FROM (SELECT btrim(regexp_replace(
                     replace(replace(replace(replace(replace(replace(
                         regexp_replace(regexp_replace(html,
                             '</?(p|li|ul|ol|h[1-6]|blockquote|pre|div|table|tr|td|th|hr|br)\M[^>]*>', ' ', 'g'),
                             '<[^>]*>', '', 'g'),
                         '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&#x27;', ''''), '&amp;', '&'),
                     '\s+', ' ', 'g')) AS s) x
$$;
