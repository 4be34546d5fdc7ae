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
#include "core/arena.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sdnotify.h"
#include "db/cluster.h"
#include "db/db.h"
#include "db/migrate.h"
#include "forum/app.h"
#include "forum/maintenance.h"
#include "forum/moderation.h"
#include "forum/posts.h"
#include "forum/users.h"
#include "http/cache.h"
#include "http/http.h"
#include "http/metrics.h"
#include "render/views.h"

#define CORRAL_VERSION "0.1.0"

enum { O_DATABASE, O_DATA_DIR, O_LOG_LEVEL, O_DB_COMMON_N };

/* Options every command that touches the database shares. */
#define DB_OPTS                                                                                  \
	{ "database", "CORRAL_DATABASE_URL", "URL", NULL,                                        \
	  "PostgreSQL URL; without it Corral runs its own cluster in DATA_DIR/pg", NULL },        \
	{ "data-dir", "CORRAL_DATA_DIR", "DIR", "./var", "where the embedded cluster lives", NULL }, \
	{ "log-level", "CORRAL_LOG_LEVEL", "LEVEL", "info", "debug, info, warn or error", NULL }

/* The database a command uses: the given URL, or the embedded cluster started here. */
struct dbsel {
	const char *url;
	struct cluster cluster;
	bool embedded;
};

static int
dbsel_open(struct opt *opts, struct dbsel *ret)
{
	int lvl = log_parse_level(opts[O_LOG_LEVEL].value);

	if (lvl < 0) {
		fprintf(stderr, "corral: --log-level must be debug, info, warn or error\n");
		return -1;
	}
	log_set_level((enum log_level)lvl);
	memset(ret, 0, sizeof *ret);
	if (opts[O_DATABASE].value && *opts[O_DATABASE].value) {
		ret->url = opts[O_DATABASE].value;
		return 0;
	}
	if (cluster_open(opts[O_DATA_DIR].value, &ret->cluster) != 0 ||
	    cluster_start(&ret->cluster) != 0)
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

static const char serve_usage[] =
	"usage: corral serve [options]\n\n"
	"Serve the forum over HTTP. Without --database, Corral creates (first start), starts\n"
	"and on exit stops its own PostgreSQL cluster in DATA_DIR/pg, on a Unix socket only.\n"
	"Migrations are applied at start.\n";

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

static int
cmd_serve(int argc, char **argv)
{
	struct opt opts[] = {
		DB_OPTS,
		{ "listen", "CORRAL_LISTEN", "ADDR:PORT", "127.0.0.1:8080", "address to listen on", NULL },
		{ "base-url", "CORRAL_BASE_URL", "URL", NULL,
		  "public URL of the forum (default http://LISTEN); https makes cookies Secure", NULL },
		{ "threads", "CORRAL_THREADS", "N", "8", "HTTP worker threads, each with one DB connection", NULL },
		{ "max-connections", "CORRAL_MAX_CONNECTIONS", "N", "1024", "open connections at most", NULL },
		{ "per-ip-connections", "CORRAL_PER_IP_CONNECTIONS", "N", "256",
		  "open connections per client address at most", NULL },
		{ "timeout", "CORRAL_TIMEOUT", "SECONDS", "30", "close connections idle this long", NULL },
		{ "statement-timeout", "CORRAL_STATEMENT_TIMEOUT", "MS", "5000",
		  "cancel SQL statements running longer", NULL },
		{ "drain-timeout", "CORRAL_DRAIN_TIMEOUT", "MS", "10000",
		  "on SIGTERM, wait this long for requests in flight", NULL },
		{ "quiet", "CORRAL_QUIET", NULL, NULL, "no log line per request", NULL },
		{ "session-idle", "CORRAL_SESSION_IDLE", "SECONDS", "1209600",
		  "sign a session out after this long unused (14 days)", NULL },
		{ "session-max", "CORRAL_SESSION_MAX", "SECONDS", "5184000",
		  "sign a session out after this long in any case (60 days)", NULL },
		{ "hash-concurrency", "CORRAL_HASH_CONCURRENCY", "N", "2",
		  "password hashes computed at once (each takes --hash-memory)", NULL },
		{ "hash-memory", "CORRAL_HASH_MEMORY", "MIB", "64",
		  "argon2id memory per password hash (OWASP's minimum: 19)", NULL },
		{ "signin-limit-account", "CORRAL_SIGNIN_LIMIT_ACCOUNT", "N", "5",
		  "failed sign-ins per account per window before 429", NULL },
		{ "signin-limit-ip", "CORRAL_SIGNIN_LIMIT_IP", "N", "50",
		  "failed sign-ins per client address per window before 429", NULL },
		{ "signin-window", "CORRAL_SIGNIN_WINDOW", "SECONDS", "900", "sign-in limit window", NULL },
		{ "register-limit-ip", "CORRAL_REGISTER_LIMIT_IP", "N", "10",
		  "registrations per client address per window", NULL },
		{ "register-window", "CORRAL_REGISTER_WINDOW", "SECONDS", "3600", "registration limit window", NULL },
		{ "trust-posts", "CORRAL_TRUST_POSTS", "N", "2",
		  "posts of a new account that wait for a moderator before it is trusted", NULL },
		{ "post-limit", "CORRAL_POST_LIMIT", "N", "10", "posts per account per window before 429", NULL },
		{ "post-window", "CORRAL_POST_WINDOW", "SECONDS", "60", "posting limit window", NULL },
		{ "spam-links", "CORRAL_SPAM_LINKS", "N", "5",
		  "a post with more links than this waits for a moderator", NULL },
		{ "spam-burst", "CORRAL_SPAM_BURST", "N", "5",
		  "after this many posts within the burst window, further posts wait", NULL },
		{ "spam-burst-window", "CORRAL_SPAM_BURST_WINDOW", "SECONDS", "60", "burst window", NULL },
		{ "flag-limit", "CORRAL_FLAG_LIMIT", "N", "20", "flags and nominations per account per hour", NULL },
		{ "replica-url", "CORRAL_REPLICA_URL", "URL", NULL,
		  "a streaming replica for the reads of pages (falls back to the primary)", NULL },
		{ "replica-window", "CORRAL_REPLICA_WINDOW", "SECONDS", "5",
		  "after a write, that browser reads from the primary this long", NULL },
		{ "cache-mb", "CORRAL_CACHE_MB", "MB", "64",
		  "memory for rendered pages served to anonymous readers (0: no cache)", NULL },
	};
	enum { O_LISTEN = O_DB_COMMON_N, O_BASE_URL, O_THREADS, O_MAXCONN, O_PERIP, O_TIMEOUT,
	       O_STMT_TIMEOUT, O_DRAIN, O_QUIET, O_SESSION_IDLE, O_SESSION_MAX, O_HASH_CONC,
	       O_HASH_MEM, O_SIGNIN_ACCT, O_SIGNIN_IP, O_SIGNIN_WINDOW, O_REG_IP, O_REG_WINDOW, O_TRUST,
	       O_POST_LIMIT, O_POST_WINDOW, O_SPAM_LINKS, O_SPAM_BURST, O_SPAM_WINDOW, O_FLAG_LIMIT,
	       O_REPLICA_URL, O_REPLICA_WINDOW, O_CACHE_MB };
	int nopts = (int)(sizeof opts / sizeof opts[0]), nargs, rc = 1, sig;
	long threads, maxconn, perip, timeout, stmt_timeout, drain;
	long sess_idle, sess_max, hash_conc, hash_mem, signin_acct, signin_ip, signin_win, reg_ip, reg_win;
	long trust, post_limit, post_window, spam_links, spam_burst, spam_window, flag_limit, cache_mb, replica_window;
	struct http_server *srv = NULL;
	struct tmpl_set *views = NULL;
	struct router *rt = NULL;
	struct dbsel db;
	char *args[1];
	bool help;
	char base[300];

	if (opt_parse(argc, argv, 2, opts, nopts, args, 0, &nargs, &help) != 0)
		return 2;
	if (help) {
		opt_usage(stdout, serve_usage, opts, nopts);
		return 0;
	}
	if (opt_int(&opts[O_THREADS], 1, 256, &threads) || opt_int(&opts[O_MAXCONN], 1, 100000, &maxconn) ||
	    opt_int(&opts[O_PERIP], 1, 100000, &perip) || opt_int(&opts[O_TIMEOUT], 1, 3600, &timeout) ||
	    opt_int(&opts[O_STMT_TIMEOUT], 10, 600000, &stmt_timeout) ||
	    opt_int(&opts[O_DRAIN], 0, 600000, &drain) ||
	    opt_int(&opts[O_SESSION_IDLE], 60, 31536000, &sess_idle) ||
	    opt_int(&opts[O_SESSION_MAX], 60, 315360000, &sess_max) ||
	    opt_int(&opts[O_HASH_CONC], 1, 64, &hash_conc) ||
	    opt_int(&opts[O_HASH_MEM], 19, 1024, &hash_mem) ||
	    opt_int(&opts[O_SIGNIN_ACCT], 1, 1000000, &signin_acct) ||
	    opt_int(&opts[O_SIGNIN_IP], 1, 1000000, &signin_ip) ||
	    opt_int(&opts[O_SIGNIN_WINDOW], 1, 86400, &signin_win) ||
	    opt_int(&opts[O_REG_IP], 1, 1000000, &reg_ip) ||
	    opt_int(&opts[O_REG_WINDOW], 1, 86400, &reg_win) ||
	    opt_int(&opts[O_TRUST], 0, 1000, &trust) ||
	    opt_int(&opts[O_POST_LIMIT], 1, 1000000, &post_limit) ||
	    opt_int(&opts[O_POST_WINDOW], 1, 86400, &post_window) ||
	    opt_int(&opts[O_SPAM_LINKS], 0, 10000, &spam_links) ||
	    opt_int(&opts[O_SPAM_BURST], 1, 1000000, &spam_burst) ||
	    opt_int(&opts[O_SPAM_WINDOW], 1, 86400, &spam_window) ||
	    opt_int(&opts[O_FLAG_LIMIT], 1, 1000000, &flag_limit) ||
	    opt_int(&opts[O_CACHE_MB], 0, 65536, &cache_mb) ||
	    opt_int(&opts[O_REPLICA_WINDOW], 0, 3600, &replica_window))
		return 2;
	cache_init((size_t)cache_mb << 20);
	moderation_configure(&(struct moderation_config){ .spam_links = (int)spam_links,
		.spam_burst = (int)spam_burst, .spam_burst_s = (int)spam_window, .flag_limit = (int)flag_limit });
	forum_configure(&(struct forum_config){ .trust_posts = (int)trust, .post_limit = (int)post_limit,
						.post_window_s = (int)post_window, .page_size = 200 });
	snprintf(base, sizeof base, "http://%s", opts[O_LISTEN].value);
	if (opts[O_BASE_URL].value)
		snprintf(base, sizeof base, "%s", opts[O_BASE_URL].value);
	while (strlen(base) > 0 && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
		fprintf(stderr, "corral: --base-url must start with http:// or https://\n");
		return 2;
	}
	if (auth_init(&(struct auth_config){
			.secure_cookies = strncmp(base, "https://", 8) == 0,
			.origin = base,
			.session_idle_s = (int)sess_idle,
			.session_max_s = (int)sess_max,
			.hash_concurrency = (int)hash_conc,
			.hash_memory_mib = (int)hash_mem,
			.signin_fail_account = (int)signin_acct,
			.signin_fail_ip = (int)signin_ip,
			.signin_window_s = (int)signin_win,
			.register_per_ip = (int)reg_ip,
			.register_window_s = (int)reg_win,
		}) != 0)
		return 1;
	if (dbsel_open(opts, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = (int)stmt_timeout,
					  .replica_url = opts[O_REPLICA_URL].value });
	if (db_connect_now() != 0) {
		log_error("serve: cannot use the database (see above)");
		goto out;
	}
	db_disconnect();   /* the main thread serves nothing; pool threads connect lazily */
	app_init(&(struct app_config){ .base_url = base, .replica_window_s = (int)replica_window });
	if ((views = views_load()) == NULL || (rt = app_router()) == NULL)
		goto out;
	metrics_set_router(rt);
	if (http_start(&(struct http_config){
			       .listen = opts[O_LISTEN].value,
			       .threads = (int)threads,
			       .max_connections = (int)maxconn,
			       .per_ip_connections = (int)perip,
			       .timeout_s = (int)timeout,
			       .max_body = 1u << 20,
			       .connection_memory = 32 * 1024,
			       .hooks = &app_hooks,
			       .templates = views,
			       .log_requests = !opt_flag(&opts[O_QUIET]),
			       .hsts = strncmp(base, "https://", 8) == 0,
		       }, rt, &srv) != 0)
		goto out;
	if (maint_start(60, (int)sess_idle) != 0 || cache_listen_start(db.url) != 0)
		goto out;
	sd_notify_state("READY=1");
	log_info("Corral %s is running at %s (%s database)", CORRAL_VERSION, app_config()->base_url,
		 db.embedded ? "embedded" : "external");
	if (db.embedded)
		log_info("create the first admin with: corral user add NAME --role admin --data-dir %s",
			 opts[O_DATA_DIR].value);
	sig = serve_wait_signal();
	log_info("%s received: no new connections; finishing requests in flight",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	sd_notify_state("STOPPING=1");
	http_quiesce(srv);
	if (http_drain(srv, (int)drain) > 0)
		log_warn("shutdown: requests still in flight after %ld ms; closing them", drain);
	rc = 0;
out:
	cache_listen_stop();
	maint_stop();
	http_stop(srv);
	router_free(rt);
	tmpl_set_free(views);
	dbsel_close(&db);
	if (rc == 0)
		log_info("stopped");
	return rc;
}

static const char migrate_usage[] =
	"usage: corral migrate [options]\n\n"
	"Apply the schema migrations built into this binary (idempotent). Refuses a database\n"
	"whose schema is newer than this binary.\n";

static int
cmd_migrate(int argc, char **argv)
{
	struct opt opts[] = { DB_OPTS };
	int nopts = (int)(sizeof opts / sizeof opts[0]), nargs, n;
	struct dbsel db;
	char *args[1];
	bool help;

	if (opt_parse(argc, argv, 2, opts, nopts, args, 0, &nargs, &help) != 0)
		return 2;
	if (help) {
		opt_usage(stdout, migrate_usage, opts, nopts);
		return 0;
	}
	if (dbsel_open(opts, &db) != 0)
		return 1;
	n = migrate_run(db.url);
	if (n >= 0)
		printf("schema at version %d (%d migration%s applied)\n", migrate_latest(), n, n == 1 ? "" : "s");
	dbsel_close(&db);
	return n >= 0 ? 0 : 1;
}

static const char cluster_usage[] =
	"usage: corral cluster start|stop|status|url [options]\n\n"
	"Manage the embedded PostgreSQL cluster of DATA_DIR by hand: start it (creating it on\n"
	"first use) and leave it running, stop it, ask whether it runs, or print its URL (for\n"
	"psql, pg_dump). The test suites make their throwaway clusters with this command.\n";

static int
cmd_cluster(int argc, char **argv)
{
	struct opt opts[] = {
		{ "data-dir", "CORRAL_DATA_DIR", "DIR", "./var", "where the embedded cluster lives", NULL },
	};
	struct cluster c;
	char *args[1];
	int nargs;
	bool help;

	if (opt_parse(argc, argv, 2, opts, 1, args, 1, &nargs, &help) != 0)
		return 2;
	if (help || nargs != 1) {
		opt_usage(help ? stdout : stderr, cluster_usage, opts, 1);
		return help ? 0 : 2;
	}
	if (cluster_open(opts[0].value, &c) != 0)
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
	opt_usage(stderr, cluster_usage, opts, 1);
	return 2;
}

static const char user_usage[] =
	"usage: corral user add NAME --role admin|moderator|member [--community-role SLUG] [options]\n"
	"       corral user set-role NAME admin|moderator|member [options]\n\n"
	"Create an account (the password is read from standard input, one line) or change its\n"
	"permission role. Works while a server runs on the same database or data dir.\n";

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

static int
cmd_user(int argc, char **argv)
{
	struct opt opts[] = {
		DB_OPTS,
		{ "role", "CORRAL_USER_ROLE", "ROLE", "member", "admin, moderator or member (user add)", NULL },
		{ "community-role", "CORRAL_USER_COMMUNITY_ROLE", "SLUG", "practitioner",
		  "community role of a new account (user add)", NULL },
		{ "email", "CORRAL_USER_EMAIL", "ADDRESS", NULL, "email of a new account (user add)", NULL },
	};
	enum { O_ROLE = O_DB_COMMON_N, O_CROLE, O_EMAIL };
	int nopts = (int)(sizeof opts / sizeof opts[0]), nargs, rc = 1;
	struct ctx c = { .rid = "cli" };
	char *args[3], pw[1100];
	size_t pwlen = 0;
	int64_t id;
	struct dbsel db;
	bool help;

	if (opt_parse(argc, argv, 2, opts, nopts, args, 3, &nargs, &help) != 0)
		return 2;
	if (help) {
		opt_usage(stdout, user_usage, opts, nopts);
		return 0;
	}
	if (!(nargs == 2 && strcmp(args[0], "add") == 0) && !(nargs == 3 && strcmp(args[0], "set-role") == 0)) {
		opt_usage(stderr, user_usage, opts, nopts);
		return 2;
	}
	if (strcmp(args[0], "add") == 0 && user_read_password(pw, sizeof pw, &pwlen) != 0)
		return 2;
	if (auth_init(&(struct auth_config){ .hash_concurrency = 1 }) != 0 || dbsel_open(opts, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = 30000 });
	c.arena = arena_new();
	if (strcmp(args[0], "add") == 0 &&
	    users_create(&c, args[1], pw, pwlen, opts[O_CROLE].value, opts[O_EMAIL].value,
			 opts[O_ROLE].value, &id) == 0) {
		printf("created %s (%s, %s)\n", args[1], opts[O_ROLE].value, opts[O_CROLE].value);
		rc = 0;
	} else if (strcmp(args[0], "set-role") == 0 && users_set_role(&c, args[1], args[2], 0) == 0) {
		printf("%s is now %s\n", args[1], args[2]);
		rc = 0;
	}
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

static const char backup_usage[] =
	"usage: corral backup FILE [options]\n"
	"       corral restore FILE [options]\n\n"
	"backup writes the whole database to FILE with pg_dump (custom format, compressed);\n"
	"restore loads such a file with pg_restore, replacing what the database holds. Both\n"
	"work on the embedded cluster (started for the command if no server runs it) as\n"
	"well as on --database. Restore into a database whose server is stopped.\n";

static int
cmd_backup(int argc, char **argv, bool restore)
{
	struct opt opts[] = { DB_OPTS };
	int nopts = (int)(sizeof opts / sizeof opts[0]), nargs, rc;
	struct dbsel db;
	char *args[1];
	bool help;

	if (opt_parse(argc, argv, 2, opts, nopts, args, 1, &nargs, &help) != 0)
		return 2;
	if (help || nargs != 1) {
		opt_usage(help ? stdout : stderr, backup_usage, opts, nopts);
		return help ? 0 : 2;
	}
	if (dbsel_open(opts, &db) != 0)
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

static const char main_usage[] =
	"usage: corral COMMAND [options]\n\n"
	"Commands:\n"
	"  serve      serve the forum over HTTP\n"
	"  migrate    apply schema migrations\n"
	"  user       add an account, or change its permission role\n"
	"  backup     write the database to a file (pg_dump)\n"
	"  restore    load a backup file (pg_restore)\n"
	"  cluster    start, stop or locate the embedded PostgreSQL cluster\n"
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
	if (strcmp(argv[1], "routes") == 0)
		return cmd_routes();
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("corral %s (schema %d)\n", CORRAL_VERSION, migrate_latest());
		return 0;
	}
	fprintf(stderr, "corral: unknown command '%s'\n\n%s", argv[1], main_usage);
	return 2;
}
