-- 0004: the moderation queues (pending, flags, ideas), flags and nominations.

-- One queue mechanism: an item is a post waiting for a decision in one of three queues.
-- All open flags on one post are one item (and all open nominations of one post), so
-- an open item is unique per queue and post. A decision is written once: the row is
-- updated only while decided_at IS NULL, which makes two moderators racing on the same
-- item produce exactly one winner (the other's UPDATE finds it decided).
CREATE TABLE queue_items (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('pending', 'flags', 'ideas')),
    post_id         bigint NOT NULL REFERENCES posts (id),
    reason          text CHECK (reason IS NULL OR reason IN ('new_account', 'too_many_links', 'posting_too_fast')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    decided_by      bigint REFERENCES users (id),
    decision        text CHECK (decision IS NULL OR decision IN
                        ('approve', 'reject', 'dismiss', 'hide', 'delete', 'suspend', 'accept', 'attach', 'decline')),
    decision_reason text CHECK (decision_reason IS NULL OR length(decision_reason) <= 1000),
    CHECK ((decided_at IS NULL) = (decision IS NULL)),
    CHECK ((kind = 'pending') = (reason IS NOT NULL)),
    CHECK (decision IS NULL
           OR (kind = 'pending' AND decision IN ('approve', 'reject'))
           OR (kind = 'flags' AND decision IN ('dismiss', 'hide', 'delete', 'suspend'))
           OR (kind = 'ideas' AND decision IN ('accept', 'attach', 'decline')))
);
CREATE UNIQUE INDEX queue_items_open ON queue_items (kind, post_id) WHERE decided_at IS NULL;
COMMENT ON INDEX queue_items_open IS 'one open item per queue and post; the queue pages list by it';

CREATE TABLE flags (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id    bigint NOT NULL REFERENCES queue_items (id),
    post_id    bigint NOT NULL REFERENCES posts (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    reason     text NOT NULL CHECK (reason IN ('spam', 'off_topic', 'abusive', 'duplicate', 'other')),
    note       text CHECK (note IS NULL OR length(note) <= 500),
    open       boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- One open flag per member per post: a second is refused by the database itself.
CREATE UNIQUE INDEX flags_one_open ON flags (post_id, user_id) WHERE open;
CREATE INDEX flags_item ON flags (item_id);

CREATE TABLE nominations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id    bigint NOT NULL REFERENCES queue_items (id),
    post_id    bigint NOT NULL REFERENCES posts (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    note       text CHECK (note IS NULL OR length(note) <= 500),
    open       boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX nominations_one_open ON nominations (post_id, user_id) WHERE open;
CREATE INDEX nominations_item ON nominations (item_id);
