-- 0001: the community roles every account carries, and the forum's categories.

CREATE TABLE community_roles (
    slug     text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9_-]{1,31}$'),
    label    text NOT NULL CHECK (length(label) BETWEEN 1 AND 64),
    kind     text NOT NULL CHECK (kind IN ('doer', 'helper')),
    position integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE community_roles IS
    'What people do in the community: doers (practitioners) and helpers (consultants, vendors, analysts, trainers).';

INSERT INTO community_roles (slug, label, kind, position) VALUES
    ('practitioner', 'Practitioner', 'doer',   1),
    ('consultant',   'Consultant',   'helper', 2),
    ('vendor',       'Vendor',       'helper', 3),
    ('analyst',      'Analyst',      'helper', 4),
    ('trainer',      'Trainer',      'helper', 5),
    ('other',        'Other',        'helper', 6);

CREATE TABLE categories (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    position     integer NOT NULL DEFAULT 0,
    thread_count integer NOT NULL DEFAULT 0 CHECK (thread_count >= 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);

INSERT INTO categories (slug, name, description, position) VALUES
    ('general', 'General', 'Anything about running IT services that fits nowhere else.', 1);
