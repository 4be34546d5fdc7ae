-- 0017: the site's name, tagline and description, set by administrators (PATCH /api/v1/site,
-- the form on /admin) instead of a name compiled into the binary. They show in the header,
-- every <title>, the Atom feeds and the description/OpenGraph meta tags of every page.

-- One row: the primary key can only be true.
CREATE TABLE site_settings (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    site_name   text NOT NULL CHECK (length(site_name) BETWEEN 1 AND 100 AND site_name !~ '[[:cntrl:]]'),
    tagline     text NOT NULL DEFAULT '' CHECK (length(tagline) <= 200 AND tagline !~ '[[:cntrl:]]'),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500 AND description !~ '[[:cntrl:]]'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE site_settings IS 'Exactly one row; every instance keeps a copy, reloaded on NOTIFY corral_site.';

INSERT INTO site_settings (site_name, tagline, description) VALUES
    ('Corral', 'a forum where practitioners are heard',
     'A forum for people who run IT services, where the practitioners doing the work are heard.');

-- Every page shows the settings: drop every cached page ('all'), and tell every instance
-- to reload its copy (corral_site) — whichever code made the change, SQL by hand included.
CREATE FUNCTION site_settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_site', 'changed');
    PERFORM pg_notify('corral_cache', 'all');
    RETURN NULL;
END;
$$;
CREATE TRIGGER site_settings_notify AFTER INSERT OR UPDATE OR DELETE ON site_settings
    FOR EACH STATEMENT EXECUTE FUNCTION site_settings_notify();

-- Changing the settings is logged like every other administrator action.
ALTER TABLE mod_log DROP CONSTRAINT mod_log_target_type_check;
ALTER TABLE mod_log ADD CONSTRAINT mod_log_target_type_check
    CHECK (target_type IN ('user', 'thread', 'post', 'idea', 'category', 'community_role',
                           'queue_item', 'survey', 'site'));
