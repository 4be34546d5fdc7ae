-- A signed-in thread page asks whether its viewer has held posts in the thread
-- (forum/sharedpage.c: such a viewer gets a full render). Held posts are few, so this
-- index stays small, where posts_author would walk all of a prolific member's posts.
CREATE INDEX posts_pending_author ON posts (author_id, thread_id) WHERE state = 'pending';
