/* main.c — the corral command: options, start-up and orderly shutdown. Everything else
 * lives in the library (libcorral) so tests and fuzzers run the same code. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/seal.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sdnotify.h"
#include "db/cluster.h"
#include "db/db.h"
#include "db/db_options.h"
#include "db/migrate.h"
#include "forum/account_mail.h"
#include "forum/app.h"
#include "forum/bookmarks.h"
#include "forum/maintenance.h"
#include "forum/moderation.h"
#include "forum/digest.h"
#include "forum/notify_mail.h"
#include "forum/posts.h"
#include "forum/reply_mail.h"
#include "forum/surveys.h"
#include "forum/twofactor.h"
#include "forum/uploads.h"
#include "forum/users.h"
#include "http/cache.h"
#include "http/http.h"
#include "http/metrics.h"
#include "mail/inbound.h"
#include "mail/mail.h"
#include "render/views.h"

#define CORRAL_VERSION "0.1.0"

/* The database a command uses: --database, or the embedded cluster of --data-dir. */
struct cli_db {
	const char *url;
	const char *data_dir;
	const char *log_level;
};

static const struct opt_def cli_db_defs[] = {
	{ .name = "database", .env = "CORRAL_DATABASE_URL", .kind = OPTK_STRING, .metavar = "URL",
	  .offset = OPT_AT(struct cli_db, url, const char *),
	  .help = "PostgreSQL URL; without it Corral runs its own cluster in DATA_DIR/pg" },
	OPT_CHOICE("log-level", "LEVEL", "info", log_level_names, struct cli_db, log_level,
		   "how much to log"),
};
static const struct opt_table cli_db_opts = { "Database", cli_db_defs, OPT_COUNT(cli_db_defs) };

/* Apart, because `corral cluster` takes --data-dir alone. */
static const struct opt_def cli_dir_defs[] = {
	OPT_STRING("data-dir", "DIR", "./var", struct cli_db, data_dir,
		   "where the embedded cluster lives"),
};
static const struct opt_table cli_dir_opts = { "Database", cli_dir_defs, OPT_COUNT(cli_dir_defs) };

/* The uses of the two tables above in a command whose config is a struct cli_db at
 * offset `at`. */
#define CLI_DB_USES(at) { &cli_db_opts, (at) }, { &cli_dir_opts, (at) }

/* The database a command uses, opened: the given URL, or the embedded cluster started. */
struct dbsel {
	const char *url;
	struct cluster cluster;
	bool embedded;
};

static int
dbsel_open(const struct cli_db *cfg, struct dbsel *ret)
{
	log_set_level((enum log_level)log_parse_level(cfg->log_level));
	memset(ret, 0, sizeof *ret);
	if (cfg->url && *cfg->url) {
		ret->url = cfg->url;
		return 0;
	}
	if (cluster_open(cfg->data_dir, &ret->cluster) != 0 || cluster_start(&ret->cluster) != 0)
		return -1;
	ret->embedded = true;
	ret->url = ret->cluster.url;
	return 0;
}

static void
dbsel_close(struct dbsel *d)
{
	if (d->embedded)
		cluster_stop(&d->cluster, false);
}

/* Everything `corral serve` is configured with: each module's config struct, filled by
 * that module's option table. */
struct serve_cfg {
	struct cli_db where;
	struct http_config http;
	struct cache_config cache;
	struct db_config db;
	struct app_config app;
	struct auth_config auth;
	struct forum_config forum;
	struct moderation_config moderation;
	struct mail_config mail;
	struct notify_mail_config notify_mail;
	struct bookmark_reminders_config reminders;
	struct reply_mail_config reply_mail;
	struct digest_config digest;
	struct survey_config survey;
	struct upload_config uploads;
	int drain_ms;
};

static const struct opt_def serve_defs[] = {
	OPT_INT("drain-timeout", "MS", "10000", 0, 600000, struct serve_cfg, drain_ms,
		"on SIGTERM, wait this long for requests in flight"),
};
static const struct opt_table serve_opts = { "HTTP", serve_defs, OPT_COUNT(serve_defs) };

static const struct opt_use serve_uses[] = {
	CLI_DB_USES(offsetof(struct serve_cfg, where)),
	{ &db_opts, offsetof(struct serve_cfg, db) },
	{ &http_opts, offsetof(struct serve_cfg, http) },
	{ &serve_opts, 0 },
	{ &cache_opts, offsetof(struct serve_cfg, cache) },
	{ &app_opts, offsetof(struct serve_cfg, app) },
	{ &auth_opts, offsetof(struct serve_cfg, auth) },
	{ &forum_opts, offsetof(struct serve_cfg, forum) },
	{ &moderation_opts, offsetof(struct serve_cfg, moderation) },
	{ &mail_msg_opts, offsetof(struct serve_cfg, mail) },
	{ &mail_send_opts, offsetof(struct serve_cfg, mail) },
	{ &notify_mail_opts, offsetof(struct serve_cfg, notify_mail) },
	{ &bookmark_reminders_opts, offsetof(struct serve_cfg, reminders) },
	{ &reply_mail_opts, offsetof(struct serve_cfg, reply_mail) },
	{ &digest_opts, offsetof(struct serve_cfg, digest) },
	{ &survey_opts, offsetof(struct serve_cfg, survey) },
	{ &upload_opts, offsetof(struct serve_cfg, uploads) },
};

static const struct opt_cmd serve_cmd = {
	"serve",
	"usage: corral serve [options]\n\n"
	"Serve the forum over HTTP. Without --database, Corral creates (first start), starts\n"
	"and on exit stops its own PostgreSQL cluster in DATA_DIR/pg, on a Unix socket only.\n"
	"Migrations are applied at start.\n",
	serve_uses, OPT_COUNT(serve_uses), 0,
};

static int
serve_wait_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}

/* The public URL (--base-url, or http://LISTEN) without trailing slashes into base, and
 * what follows from it: the origin accepted on writes, Secure cookies and HSTS. */
static void
serve_base_url(struct serve_cfg *cfg, char *base, size_t size)
{
	size_t n;
	bool https;

	if (cfg->app.base_url)
		snprintf(base, size, "%s", cfg->app.base_url);
	else
		snprintf(base, size, "http://%s", cfg->http.listen);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	https = strncmp(base, "https://", 8) == 0;
	cfg->app.base_url = base;
	cfg->auth.origin = base;
	cfg->auth.secure_cookies = https;
	cfg->http.hsts = https;
}

/* The server's key (auth/seal.h): --secret-key-file, which must exist; without it, the
 * embedded cluster's DATA_DIR/secret.key, made at first start (one instance owns that
 * cluster); against another PostgreSQL without the option, none. 0 or -1 (logged). */
static int
serve_key(const struct serve_cfg *cfg, const struct dbsel *db)
{
	char path[4096];

	if (cfg->auth.secret_key_file && *cfg->auth.secret_key_file)
		return seal_configure(cfg->auth.secret_key_file, false);
	if (!db->embedded)
		return seal_configure(NULL, false);
	snprintf(path, sizeof path, "%s/secret.key", cfg->where.data_dir);
	return seal_configure(path, true);
}

/* Serve until SIGINT or SIGTERM, then drain. Returns the exit status. */
static int
serve_run(struct serve_cfg *cfg)
{
	struct http_server *srv = NULL;
	struct tmpl_set *views = NULL;
	struct router *rt = NULL;
	struct dbsel db;
	int rc = 1, sig;

	if (dbsel_open(&cfg->where, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	cfg->db.url = db.url;
	db_configure(&cfg->db);
	if (db_connect_now() != 0) {
		log_error("serve: cannot use the database (see above)");
		goto out;
	}
	if (serve_key(cfg, &db) != 0 || twofactor_keys_start() != 0)
		goto out;
	db_disconnect();   /* the main thread serves nothing; pool threads connect lazily */
	app_init(&cfg->app);
	if ((views = views_load()) == NULL || (rt = app_router()) == NULL)
		goto out;
	metrics_set_router(rt);
	cfg->http.templates = views;
	if (http_start(&cfg->http, rt, &srv) != 0)
		goto out;
	/* The mail worker subscribes to the listener's notices: before it starts. */
	if (maint_start(60, cfg->auth.session_idle_s) != 0 || mail_start() != 0 ||
	    notify_mail_start(&cfg->notify_mail) != 0 || bookmark_reminders_start(&cfg->reminders) != 0 ||
	    digest_start(&cfg->digest) != 0 || app_listen_start(db.url) != 0)
		goto out;
	sd_notify_state("READY=1");
	log_info("Corral %s is running at %s (%s database)", CORRAL_VERSION, app_config()->base_url,
		 db.embedded ? "embedded" : "external");
	log_info("outgoing mail goes to %s", mail_transport());
	if (db.embedded)
		log_info("create the first admin with: corral user add NAME --role admin --data-dir %s",
			 cfg->where.data_dir);
	sig = serve_wait_signal();
	log_info("%s received: no new connections; finishing requests in flight",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	sd_notify_state("STOPPING=1");
	http_quiesce(srv);
	if (http_drain(srv, cfg->drain_ms) > 0)
		log_warn("shutdown: requests still in flight after %d ms; closing them", cfg->drain_ms);
	rc = 0;
out:
	app_listen_stop();
	bookmark_reminders_stop();
	notify_mail_stop();
	digest_stop();
	mail_stop();
	maint_stop();
	http_stop(srv);
	router_free(rt);
	tmpl_set_free(views);
	dbsel_close(&db);
	if (rc == 0)
		log_info("stopped");
	return rc;
}

static int
cmd_serve(int argc, char **argv)
{
	struct serve_cfg cfg = {
		.http = { .max_body = 1u << 20, .hooks = &app_hooks },
		.forum = { .page_size = 200 },
	};
	char *args[1], base[300];
	bool help;
	int nargs, rc;

	if (opt_parse(argc, argv, 2, &serve_cmd, &cfg, args, &nargs, &help) != 0)
		return 2;
	if (help) {
		opt_usage(stdout, &serve_cmd);
		return 0;
	}
	if (http_config_check(&cfg.http) != 0) {
		http_config_free(&cfg.http);
		return 2;
	}
	serve_base_url(&cfg, base, sizeof base);
	/* The embedded cluster's data dir also holds the .eml files when no SMTP is set up. */
	if (mail_configure(&cfg.mail, base, cfg.where.url && *cfg.where.url ? NULL : cfg.where.data_dir) != 0 ||
	    reply_mail_configure(&cfg.reply_mail) != 0)
		return 2;
	cache_init(cfg.cache.budget);
	moderation_configure(&cfg.moderation);
	forum_configure(&cfg.forum);
	survey_results_configure(&cfg.survey);
	cfg.http.upload_max_body = uploads_body_limit(&cfg.uploads);
	if ((rc = uploads_configure(&cfg.uploads)) != 0)
		return rc;
	rc = auth_init(&cfg.auth) != 0 ? 1 : serve_run(&cfg);
	http_config_free(&cfg.http);
	return rc;
}

static const struct opt_use cli_db_uses[] = { CLI_DB_USES(0) };

static const struct opt_cmd migrate_cmd = {
	"migrate",
	"usage: corral migrate [options]\n\n"
	"Apply the schema migrations built into this binary (idempotent). Refuses a database\n"
	"whose schema is newer than this binary.\n",
	cli_db_uses, OPT_COUNT(cli_db_uses), 0,
};

static int
cmd_migrate(int argc, char **argv)
{
	struct cli_db cfg = { 0 };
	struct dbsel db;
	char *args[1];
	int nargs, n;
	bool help;

	if (opt_parse(argc, argv, 2, &migrate_cmd, &cfg, args, &nargs, &help) != 0)
		return 2;
	if (help) {
		opt_usage(stdout, &migrate_cmd);
		return 0;
	}
	if (dbsel_open(&cfg, &db) != 0)
		return 1;
	n = migrate_run(db.url);
	if (n >= 0)
		printf("schema at version %d (%d migration%s applied)\n", migrate_latest(), n, n == 1 ? "" : "s");
	dbsel_close(&db);
	return n >= 0 ? 0 : 1;
}

static const struct opt_use cluster_uses[] = { { &cli_dir_opts, 0 } };

static const struct opt_cmd cluster_cmd = {
	"cluster",
	"usage: corral cluster start|stop|status|url [options]\n\n"
	"Manage the embedded PostgreSQL cluster of DATA_DIR by hand: start it (creating it on\n"
	"first use) and leave it running, stop it, ask whether it runs, or print its URL (for\n"
	"psql, pg_dump). The test suites make their throwaway clusters with this command.\n",
	cluster_uses, OPT_COUNT(cluster_uses), 1,
};

static int
cmd_cluster(int argc, char **argv)
{
	struct cli_db cfg = { 0 };
	struct cluster c;
	char *args[1];
	int nargs;
	bool help;

	if (opt_parse(argc, argv, 2, &cluster_cmd, &cfg, args, &nargs, &help) != 0)
		return 2;
	if (help || nargs != 1) {
		opt_usage(help ? stdout : stderr, &cluster_cmd);
		return help ? 0 : 2;
	}
	if (cluster_open(cfg.data_dir, &c) != 0)
		return 1;
	if (strcmp(args[0], "start") == 0)
		return cluster_start(&c) == 0 ? (puts(c.url), 0) : 1;
	if (strcmp(args[0], "stop") == 0)
		return cluster_stop(&c, true) == 0 ? 0 : 1;
	if (strcmp(args[0], "status") == 0) {
		bool up = cluster_running(&c);

		puts(up ? "running" : "stopped");
		return up ? 0 : 3;
	}
	if (strcmp(args[0], "url") == 0) {
		puts(c.url);
		return 0;
	}
	opt_usage(stderr, &cluster_cmd);
	return 2;
}

/* What `corral user` is configured with. */
struct user_cfg {
	struct cli_db where;
	struct app_config app;        /* --base-url: where reset-link points */
	const char *role;
	const char *community_role;
	const char *email;
};

static const struct opt_def user_defs[] = {
	{ .name = "role", .env = "CORRAL_USER_ROLE", .kind = OPTK_STRING, .metavar = "ROLE",
	  .def = "member", .offset = OPT_AT(struct user_cfg, role, const char *),
	  .help = "admin, moderator or member (user add)" },
	{ .name = "community-role", .env = "CORRAL_USER_COMMUNITY_ROLE", .kind = OPTK_STRING,
	  .metavar = "SLUG", .def = "practitioner",
	  .offset = OPT_AT(struct user_cfg, community_role, const char *),
	  .help = "community role of a new account (user add)" },
	{ .name = "email", .env = "CORRAL_USER_EMAIL", .kind = OPTK_STRING, .metavar = "ADDRESS",
	  .offset = OPT_AT(struct user_cfg, email, const char *),
	  .help = "email of a new account (user add)" },
};
static const struct opt_table user_opts = { "Account", user_defs, OPT_COUNT(user_defs) };

static const struct opt_use user_uses[] = {
	CLI_DB_USES(offsetof(struct user_cfg, where)),
	{ &user_opts, 0 },
	{ &app_opts, offsetof(struct user_cfg, app) },
};

static const struct opt_cmd user_cmd = {
	"user",
	"usage: corral user add NAME --role admin|moderator|member [--community-role SLUG] [options]\n"
	"       corral user set-role NAME admin|moderator|member [options]\n"
	"       corral user set-password NAME [options]\n"
	"       corral user reset-link NAME [--base-url URL] [options]\n\n"
	"Create an account (the password is read from standard input, one line) or change its\n"
	"permission role. set-password sets a new password (read from standard input) and signs\n"
	"the account out everywhere; reset-link prints a link (valid one hour, once) with which\n"
	"its holder chooses a new password, on the forum's --base-url (CORRAL_BASE_URL, as given\n"
	"to serve). Works while a server runs on the same database or data dir.\n",
	user_uses, OPT_COUNT(user_uses), 3,
};

static int
user_read_password(char *out, size_t size, size_t *ret_len)
{
	size_t n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password (10 to 1024 bytes): ");
	if (fgets(out, (int)size, stdin) == NULL) {
		fprintf(stderr, "corral: no password on standard input\n");
		return -1;
	}
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	*ret_len = n;
	return 0;
}

/* The reset link's base: --base-url without trailing slashes, else serve's default. */
static const char *
user_base_url(const struct user_cfg *cfg, char *out, size_t size)
{
	size_t n;

	if (cfg->app.base_url == NULL)
		fprintf(stderr, "corral: no --base-url (CORRAL_BASE_URL): the link points at serve's default, "
			"http://127.0.0.1:8080\n");
	snprintf(out, size, "%s", cfg->app.base_url ? cfg->app.base_url : "http://127.0.0.1:8080");
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return out;
}

/* The subcommand of `corral user` on an open database. 0, or 1 with the error in c. */
static int
user_run(struct ctx *c, const struct user_cfg *cfg, char **args, const char *pw, size_t pwlen)
{
	const char *link;
	char base[300];
	int64_t id;
	int n;

	if (strcmp(args[0], "add") == 0 &&
	    users_create(c, args[1], pw, pwlen, cfg->community_role, cfg->email, cfg->role, &id) == 0) {
		printf("created %s (%s, %s)\n", args[1], cfg->role, cfg->community_role);
		return 0;
	} else if (strcmp(args[0], "set-role") == 0 && users_set_role(c, args[1], args[2], 0) == 0) {
		printf("%s is now %s\n", args[1], args[2]);
		return 0;
	} else if (strcmp(args[0], "set-password") == 0 && pwreset_set_password(c, args[1], pw, pwlen, &n) == 0) {
		printf("password of %s set; %d session%s ended\n", args[1], n, n == 1 ? "" : "s");
		return 0;
	} else if (strcmp(args[0], "reset-link") == 0 &&
		   pwreset_link(c, args[1], user_base_url(cfg, base, sizeof base), &link) == 0) {
		printf("%s\n", link);
		return 0;
	}
	return 1;
}

static int
cmd_user(int argc, char **argv)
{
	struct user_cfg cfg = { 0 };
	int nargs, rc = 1;
	struct ctx c = { .rid = "cli" };
	char *args[3], pw[1100];
	size_t pwlen = 0;
	struct dbsel db;
	bool help, one;

	if (opt_parse(argc, argv, 2, &user_cmd, &cfg, args, &nargs, &help) != 0)
		return 2;
	if (help) {
		opt_usage(stdout, &user_cmd);
		return 0;
	}
	one = nargs == 2 && (strcmp(args[0], "add") == 0 || strcmp(args[0], "set-password") == 0 ||
			     strcmp(args[0], "reset-link") == 0);
	if (!one && !(nargs == 3 && strcmp(args[0], "set-role") == 0)) {
		opt_usage(stderr, &user_cmd);
		return 2;
	}
	if ((strcmp(args[0], "add") == 0 || strcmp(args[0], "set-password") == 0) &&
	    user_read_password(pw, sizeof pw, &pwlen) != 0)
		return 2;
	if (auth_init(&(struct auth_config){ .hash_concurrency = 1 }) != 0 || dbsel_open(&cfg.where, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = 30000 });
	c.arena = arena_new();
	rc = user_run(&c, &cfg, args, pw, pwlen);
	if (rc != 0)
		fprintf(stderr, "corral: %s%s%s\n", c.err_msg ? c.err_msg : herr_default_message(c.err),
			c.err_field ? " — " : "", c.err_field ? c.err_field : "");
	sodium_memzero(pw, sizeof pw);
	db_disconnect();
	arena_free(c.arena);
out:
	dbsel_close(&db);
	return rc;
}

static const struct opt_cmd backup_cmd = {
	"backup,restore",
	"usage: corral backup FILE [options]\n"
	"       corral restore FILE [options]\n\n"
	"backup writes the whole database to FILE with pg_dump (custom format, compressed);\n"
	"restore loads such a file with pg_restore, replacing what the database holds. Both\n"
	"work on the embedded cluster (started for the command if no server runs it) as\n"
	"well as on --database. Restore into a database whose server is stopped.\n",
	cli_db_uses, OPT_COUNT(cli_db_uses), 1,
};

static int
cmd_backup(int argc, char **argv, bool restore)
{
	struct cli_db cfg = { 0 };
	struct dbsel db;
	char *args[1];
	int nargs, rc;
	bool help;

	if (opt_parse(argc, argv, 2, &backup_cmd, &cfg, args, &nargs, &help) != 0)
		return 2;
	if (help || nargs != 1) {
		opt_usage(help ? stdout : stderr, &backup_cmd);
		return help ? 0 : 2;
	}
	if (dbsel_open(&cfg, &db) != 0)
		return 1;
	if (restore) {
		char *pargv[] = { "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
				  "-d", (char *)db.url, args[0], NULL };

		rc = cluster_tool("pg_restore", pargv);
	} else {
		char *pargv[] = { "pg_dump", "--format=custom", "--no-owner", "-f", args[0], (char *)db.url, NULL };

		rc = cluster_tool("pg_dump", pargv);
	}
	dbsel_close(&db);
	if (rc != 0) {
		fprintf(stderr, "corral: %s failed (exit %d)\n", restore ? "pg_restore" : "pg_dump", rc);
		return 1;
	}
	printf("%s %s\n", restore ? "restored from" : "backed up to", args[0]);
	return 0;
}

/* What `corral mail` is configured with: the sender, and the site's URL for Message-IDs. */
struct mail_cli_cfg {
	struct cli_db where;
	struct app_config app;
	struct mail_config mail;
	const char *subject;
	const char *to_name;
	/* mail receive: the envelope recipient, and the rules a reply is posted under */
	const char *recipient;
	struct auth_config auth;
	struct forum_config forum;
	struct moderation_config moderation;
	const char *user;
};

static const struct opt_def mail_cli_defs[] = {
	OPT_STRING("subject", "TEXT", "Corral test message", struct mail_cli_cfg, subject,
		   "subject of the test message (mail test)"),
	OPT_STRING("to-name", "NAME", NULL, struct mail_cli_cfg, to_name,
		   "display name of the recipient (mail test)"),
	OPT_STRING("recipient", "ADDRESS", NULL, struct mail_cli_cfg, recipient,
		   "the envelope recipient, Postfix's ${recipient} (mail receive; else To/Cc/Delivered-To)"),
	OPT_STRING("user", "NAME", NULL, struct mail_cli_cfg, user,
		   "only this member's digest (mail digest-now; default: every member's)"),
};
static const struct opt_table mail_cli_opts = { "Test message", mail_cli_defs, OPT_COUNT(mail_cli_defs) };

static const struct opt_use mail_cli_uses[] = {
	CLI_DB_USES(offsetof(struct mail_cli_cfg, where)),
	{ &app_opts, offsetof(struct mail_cli_cfg, app) },
	{ &mail_msg_opts, offsetof(struct mail_cli_cfg, mail) },
	{ &mail_cli_opts, 0 },
	{ &auth_opts, offsetof(struct mail_cli_cfg, auth) },
	{ &forum_opts, offsetof(struct mail_cli_cfg, forum) },
	{ &moderation_opts, offsetof(struct mail_cli_cfg, moderation) },
};

static const struct opt_cmd mail_cmd = {
	"mail",
	"usage: corral mail test ADDRESS [--subject TEXT] [--to-name NAME] [options]\n"
	"       corral mail receive [--recipient ADDRESS] [options] < MESSAGE\n"
	"       corral mail digest-now [--user NAME] [options]\n\n"
	"test: queue a test message (text and HTML) to ADDRESS in the database's outbox; a\n"
	"running `corral serve` sends it as it sends all mail (SMTP, .eml files or the log).\n"
	"receive: read one message (at most 10 MiB) on standard input, as an MTA's pipe runs\n"
	"it, and post it as a reply through its signed reply address. Exit 0 (posted), 65\n"
	"(unreadable or empty), 67 (no valid reply address), 77 (the member may not post\n"
	"there) or 75 (try again later), with the reason on standard output.\n"
	"digest-now: make the digest of one member (--user) or of every member whose digest is\n"
	"not off due now; the running servers build and send it at once.\n",
	mail_cli_uses, OPT_COUNT(mail_cli_uses), 2,
};

/* `corral mail receive`: the exit status is the MTA's answer (forum/reply_mail.h). */
static int
mail_receive(struct mail_cli_cfg *cfg)
{
	struct ctx c = { .rid = "mail-receive" };
	const char *msg = NULL;
	size_t len = 0;
	char *data;
	struct dbsel db;
	int rc = REPLY_MAIL_TEMPFAIL;

	if ((data = reply_mail_read(stdin, &len)) == NULL) {
		printf("The message could not be read.\n");
		return REPLY_MAIL_TEMPFAIL;
	}
	if (len > INBOUND_MAX_BYTES) {   /* refused before the database is asked anything */
		free(data);
		printf("The message is larger than 10 MiB.\n");
		return REPLY_MAIL_DATAERR;
	}
	if (cfg->app.base_url == NULL)
		cfg->app.base_url = "http://127.0.0.1:8080";
	if (mail_configure(&cfg->mail, cfg->app.base_url, NULL) != 0 || auth_init(&cfg->auth) != 0) {
		free(data);
		return 2;
	}
	app_init(&cfg->app);
	forum_configure(&cfg->forum);
	moderation_configure(&cfg->moderation);
	/* An unreachable database is a temporary failure: the MTA keeps the message. */
	if (dbsel_open(&cfg->where, &db) != 0) {
		free(data);
		printf("The forum is unavailable; the message will be tried again.\n");
		return REPLY_MAIL_TEMPFAIL;
	}
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = 30000 });
	c.arena = arena_new();
	rc = reply_mail_receive(&c, data, len, cfg->recipient, &msg);
	printf("%s\n", msg ? msg : "Done.");
	db_disconnect();
	arena_free(c.arena);
	dbsel_close(&db);
	free(data);
	return rc;
}

/* `corral mail digest-now [--user NAME]`. */
static int
cmd_mail_digest_now(struct mail_cli_cfg *cfg)
{
	struct ctx c = { .rid = "cli" };
	struct dbsel db;
	long n;
	int rc = 1;

	if (dbsel_open(&cfg->where, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = 300000 });
	c.arena = arena_new();
	if ((n = digest_now(&c, cfg->user)) < 0)
		fprintf(stderr, "corral: %s\n", c.err_msg ? c.err_msg : herr_default_message(c.err));
	else if (n == 0 && cfg->user)
		fprintf(stderr, "corral: no member %s, or their digest is off\n", cfg->user);
	else {
		printf("%ld digest(s) due now\n", n);
		rc = 0;
	}
	db_disconnect();
	arena_free(c.arena);
out:
	dbsel_close(&db);
	return rc;
}

static int
cmd_mail(int argc, char **argv)
{
	struct mail_cli_cfg cfg = { 0 };
	struct ctx c = { .rid = "cli" };
	char *args[2];
	int nargs, rc = 1;
	int64_t id = 0;
	struct dbsel db;
	bool help;

	if (opt_parse(argc, argv, 2, &mail_cmd, &cfg, args, &nargs, &help) != 0)
		return 2;
	if (!help && nargs == 1 && strcmp(args[0], "receive") == 0)
		return mail_receive(&cfg);
	if (!help && nargs == 1 && strcmp(args[0], "digest-now") == 0)
		return cmd_mail_digest_now(&cfg);
	if (help || nargs != 2 || strcmp(args[0], "test") != 0) {
		opt_usage(help ? stdout : stderr, &mail_cmd);
		return help ? 0 : 2;
	}
	if (mail_configure(&cfg.mail, cfg.app.base_url, NULL) != 0)
		return 2;
	if (dbsel_open(&cfg.where, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = 30000 });
	c.arena = arena_new();
	if (mail_enqueue_test(&c, args[1], cfg.to_name, cfg.subject, cfg.app.base_url, &id) == HERR_OK) {
		printf("queued message %lld to %s\n", (long long)id, args[1]);
		rc = 0;
	} else {
		fprintf(stderr, "corral: %s\n", c.err_msg ? c.err_msg : herr_default_message(c.err));
		rc = c.err == HERR_INVALID ? 2 : 1;
	}
	db_disconnect();
	arena_free(c.arena);
out:
	dbsel_close(&db);
	return rc;
}

/* `corral routes`: every route, one "METHOD PATTERN" per line (the authorization matrix
 * test checks that it covers each one). */
static int
cmd_routes(void)
{
	struct router *rt = app_router();

	if (rt == NULL)
		return 1;
	for (int i = 0; i < router_count(rt); i++)
		printf("%s %s\n", router_at(rt, i)->method, router_at(rt, i)->pattern);
	router_free(rt);
	return 0;
}

/* `corral options`, not in the usage: every option of every command, one tab-separated
 * line each (core/opt.h), which tests/http/test_operations.py holds docs/operations.md to. */
static int
cmd_options(void)
{
	static const struct opt_cmd *const cmds[] = { &serve_cmd, &migrate_cmd, &user_cmd,
						      &backup_cmd, &cluster_cmd, &mail_cmd };

	opt_list(stdout, cmds, OPT_COUNT(cmds));
	return 0;
}

static const char main_usage[] =
	"usage: corral COMMAND [options]\n\n"
	"Commands:\n"
	"  serve      serve the forum over HTTP\n"
	"  migrate    apply schema migrations\n"
	"  user       add an account, change its permission role or password, make a reset link\n"
	"  backup     write the database to a file (pg_dump)\n"
	"  restore    load a backup file (pg_restore)\n"
	"  cluster    start, stop or locate the embedded PostgreSQL cluster\n"
	"  mail       queue a test message (mail test ADDRESS), make digests due (mail digest-now)\n"
	"  routes     list every HTTP route\n"
	"  version    print the version\n\n"
	"Run 'corral COMMAND --help' for the options of a command. Every option can also be\n"
	"given as an environment variable (CORRAL_*), shown in each command's help.\n";

int
main(int argc, char **argv)
{
	sigset_t set;

	if (sodium_init() < 0) {
		fprintf(stderr, "corral: libsodium failed to initialise\n");
		return 1;
	}
	/* Before any JSON value exists: values made while a request is handled come from its
	 * arena (core/arena.h), all others from malloc. */
	json_set_alloc_funcs(arena_hook_malloc, arena_hook_free);
	/* Signals are taken by sigwait in the main thread only: block them before any thread
	 * starts so every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(main_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc, argv);
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(argc, argv);
	if (strcmp(argv[1], "cluster") == 0)
		return cmd_cluster(argc, argv);
	if (strcmp(argv[1], "user") == 0)
		return cmd_user(argc, argv);
	if (strcmp(argv[1], "backup") == 0 || strcmp(argv[1], "restore") == 0)
		return cmd_backup(argc, argv, strcmp(argv[1], "restore") == 0);
	if (strcmp(argv[1], "mail") == 0)
		return cmd_mail(argc, argv);
	if (strcmp(argv[1], "routes") == 0)
		return cmd_routes();
	if (strcmp(argv[1], "options") == 0)
		return cmd_options();
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("corral %s (schema %d)\n", CORRAL_VERSION, migrate_latest());
		return 0;
	}
	fprintf(stderr, "corral: unknown command '%s'\n\n%s", argv[1], main_usage);
	return 2;
}
