-- 0030: ideas proposed by members (waiting in the ideas queue) and comments on ideas.

-- A member's proposal: the idea as they wrote it. It waits in the ideas queue as an item
-- of its own (queue_items.proposal_id) beside the nominations of posts; accepting it makes
-- the idea (idea set), the proposer its author. Rows stay when the account is erased, like
-- posts (no ON DELETE CASCADE: account_erase, schema/0021).
CREATE TABLE idea_proposals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES users (id),
    title          text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 200),
    summary        text NOT NULL CHECK (octet_length(summary) BETWEEN 1 AND 50000),
    summary_html   text NOT NULL,
    render_version text NOT NULL,
    source_url     text CHECK (source_url IS NULL OR char_length(source_url) <= 500),
    created_at     timestamptz NOT NULL DEFAULT now(),
    idea           bigint REFERENCES ideas (number)
);
CREATE INDEX idea_proposals_user ON idea_proposals (user_id, id DESC);
CREATE INDEX idea_proposals_idea ON idea_proposals (idea) WHERE idea IS NOT NULL;

-- A queue item is a post (every queue) or a proposal (the ideas queue only), never both.
-- The decision stays one conditional UPDATE (decided_at IS NULL), so one moderator wins.
ALTER TABLE queue_items ALTER COLUMN post_id DROP NOT NULL;
ALTER TABLE queue_items ADD COLUMN proposal_id bigint REFERENCES idea_proposals (id);
ALTER TABLE queue_items ADD CONSTRAINT queue_items_post_or_proposal
    CHECK ((post_id IS NULL) <> (proposal_id IS NULL)
           AND (proposal_id IS NULL OR (kind = 'ideas' AND (decision IS NULL OR decision IN ('accept', 'decline')))));
CREATE UNIQUE INDEX queue_items_proposal ON queue_items (proposal_id) WHERE proposal_id IS NOT NULL;
COMMENT ON INDEX queue_items_proposal IS 'one queue item per proposal: the proposal page finds its decision by it';

-- Comments on an idea, oldest first under it. A table of their own rather than posts of a
-- hidden thread: every list, count, search, feed and unread query of the forum reads
-- threads and posts, and each would need to leave such a thread out (see docs/architecture.md).
CREATE TABLE idea_comments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea           bigint NOT NULL REFERENCES ideas (number),
    author_id      bigint NOT NULL REFERENCES users (id),
    body           text NOT NULL CHECK (octet_length(body) BETWEEN 1 AND 50000),
    body_html      text NOT NULL,
    render_version text NOT NULL,
    state          text NOT NULL DEFAULT 'visible' CHECK (state IN ('visible', 'hidden')),
    hidden_reason  text CHECK (hidden_reason IS NULL OR char_length(hidden_reason) <= 1000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    edited_at      timestamptz
);
CREATE INDEX idea_comments_idea ON idea_comments (idea, id);
CREATE INDEX idea_comments_author ON idea_comments (author_id);
