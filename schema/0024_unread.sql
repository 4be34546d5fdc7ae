-- 0024: unread tracking (issue 19, "Unread and new"). Needs 0003 (threads, posts).
-- One row per member and thread they opened, never one per post: the highest post id
-- up to which every visible post has been shown to them. It only moves forward (the
-- upsert takes GREATEST), so an old page opened again never makes posts unread.
CREATE TABLE thread_reads (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_id    bigint NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    last_post_id bigint NOT NULL CHECK (last_post_id >= 0),
    read_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, thread_id)
);
COMMENT ON TABLE thread_reads IS 'a member''s read marker per thread: posts with a higher id are unread';
CREATE INDEX thread_reads_thread ON thread_reads (thread_id);

-- "Mark all read": threads started before new_since are not new to the member any more.
CREATE TABLE member_read_marks (
    user_id   bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    new_since timestamptz NOT NULL
);

-- Unread counts in the lists count a thread's visible posts past the marker.
CREATE INDEX posts_thread_visible_id ON posts (thread_id, id) WHERE state = 'visible';
COMMENT ON INDEX posts_thread_visible_id IS 'unread counts per thread and the first unread post';
-- /new: threads started recently.
CREATE INDEX threads_created ON threads (created_at DESC, id DESC) WHERE state = 'visible';
COMMENT ON INDEX threads_created IS '/new-threads and /api/v1/new';
