-- 0034: posting as "a verified practitioner" (issue 21). A verified practitioner may start a
-- thread or reply without their name. The post still belongs to the real account (rate
-- limits, the pending queue, voices and suspensions all go by author_id); only what readers
-- are shown changes. A thread is anonymous when its opening post is.
ALTER TABLE posts ADD COLUMN anonymous boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN posts.anonymous IS
    'shown as "A verified practitioner": no read path names author_id; admins reveal it, logged';
