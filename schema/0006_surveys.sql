-- 0006: surveys — ordered questions (free text, single choice, multiple choice, 1–5 scale),
-- one response per member per survey, answers stored with the respondent's community role
-- as it was when they answered, so results by role never change when someone later
-- changes their role.
--
-- Depends only on 0001–0003 (users, community_roles, threads), so it applies right after
-- 0003 as well as after the migrations numbered between.
--
-- The invariants live here as constraints: a question's options exist only for choice
-- questions (the option row carries its question's kind through a composite key), an
-- answer's shape follows its question's kind (same trick), and an answer always belongs to
-- a question and an option of its own survey.

CREATE TABLE surveys (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title          text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 200),
    intro          text NOT NULL DEFAULT '' CHECK (octet_length(intro) <= 50000),
    intro_html     text NOT NULL DEFAULT '',
    render_version text NOT NULL DEFAULT '',
    thread_id      bigint REFERENCES threads (id),
    author_id      bigint NOT NULL REFERENCES users (id),
    public         boolean NOT NULL DEFAULT false,
    opens_at       timestamptz NOT NULL DEFAULT now(),
    closes_at      timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz,
    CHECK (closes_at IS NULL OR closes_at > opens_at)
);
CREATE INDEX surveys_recent ON surveys (opens_at DESC, id DESC);
COMMENT ON INDEX surveys_recent IS '/surveys and GET /api/v1/surveys: newest first';
CREATE INDEX surveys_thread ON surveys (thread_id) WHERE thread_id IS NOT NULL;
COMMENT ON INDEX surveys_thread IS 'GET /api/v1/surveys?thread_id=';
COMMENT ON COLUMN surveys.public IS
    'Public surveys name respondents in the CSV export and beside free-text answers.';

CREATE TABLE survey_questions (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position  integer NOT NULL CHECK (position BETWEEN 1 AND 50),
    kind      text NOT NULL CHECK (kind IN ('text', 'single', 'multi', 'scale')),
    prompt    text NOT NULL CHECK (char_length(prompt) BETWEEN 1 AND 500),
    required  boolean NOT NULL DEFAULT false,
    UNIQUE (survey_id, position),
    -- targets of the composite keys below
    UNIQUE (id, kind),
    UNIQUE (survey_id, id, kind)
);

CREATE TABLE survey_options (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question_id   bigint NOT NULL,
    question_kind text NOT NULL CHECK (question_kind IN ('single', 'multi')),
    position      integer NOT NULL CHECK (position BETWEEN 1 AND 20),
    label         text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 200),
    FOREIGN KEY (question_id, question_kind) REFERENCES survey_questions (id, kind) ON DELETE CASCADE,
    UNIQUE (question_id, position),
    UNIQUE (question_id, id)
);

-- One response per member per survey; revising replaces its answers and refreshes the
-- role snapshot (the role the member had when they gave the answers that now count).
CREATE TABLE survey_responses (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id      bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id        bigint NOT NULL REFERENCES users (id),
    community_role text NOT NULL REFERENCES community_roles (slug) ON UPDATE CASCADE,
    role_kind      text NOT NULL CHECK (role_kind IN ('doer', 'helper')),
    revision       integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (submitted_at >= created_at),
    UNIQUE (survey_id, user_id),
    UNIQUE (survey_id, id)
);
COMMENT ON TABLE survey_responses IS
    'community_role and role_kind are snapshots taken at each submission: later role changes do not rewrite results.';
CREATE INDEX survey_responses_user ON survey_responses (user_id);

-- One row per answered question; a multiple-choice answer is one row per chosen option.
CREATE TABLE survey_answers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id bigint NOT NULL,
    survey_id   bigint NOT NULL,
    question_id bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('text', 'single', 'multi', 'scale')),
    option_id   bigint,
    value       smallint CHECK (value BETWEEN 1 AND 5),
    text        text CHECK (char_length(text) BETWEEN 1 AND 5000),
    FOREIGN KEY (survey_id, response_id) REFERENCES survey_responses (survey_id, id) ON DELETE CASCADE,
    -- Also keeps a question's kind from changing under existing answers.
    FOREIGN KEY (survey_id, question_id, kind) REFERENCES survey_questions (survey_id, id, kind),
    FOREIGN KEY (question_id, option_id) REFERENCES survey_options (question_id, id),
    CHECK (CASE kind
           WHEN 'text'  THEN text IS NOT NULL AND option_id IS NULL AND value IS NULL
           WHEN 'scale' THEN value IS NOT NULL AND option_id IS NULL AND text IS NULL
           ELSE option_id IS NOT NULL AND value IS NULL AND text IS NULL END)
);
CREATE UNIQUE INDEX survey_answers_once ON survey_answers (response_id, question_id) WHERE kind <> 'multi';
COMMENT ON INDEX survey_answers_once IS 'one answer per question, except one row per chosen option of a multi';
CREATE UNIQUE INDEX survey_answers_option_once ON survey_answers (response_id, question_id, option_id)
    WHERE kind = 'multi';
CREATE INDEX survey_answers_survey ON survey_answers (survey_id, question_id);
COMMENT ON INDEX survey_answers_survey IS 'results and the CSV export of one survey';
CREATE INDEX survey_answers_option ON survey_answers (option_id) WHERE option_id IS NOT NULL;
