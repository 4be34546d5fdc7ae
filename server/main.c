/* main.c — the corral command: options, start-up and orderly shutdown. Everything else
 * lives in the library (libcorral) so tests and fuzzers run the same code. */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/opt.h"
#include "db/cluster.h"
#include "db/db.h"
#include "db/migrate.h"
#include "forum/app.h"
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
	};
	enum { O_LISTEN = O_DB_COMMON_N, O_BASE_URL, O_THREADS, O_MAXCONN, O_PERIP, O_TIMEOUT,
	       O_STMT_TIMEOUT, O_DRAIN, O_QUIET };
	int nopts = (int)(sizeof opts / sizeof opts[0]), nargs, rc = 1, sig;
	long threads, maxconn, perip, timeout, stmt_timeout, drain;
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
	    opt_int(&opts[O_DRAIN], 0, 600000, &drain))
		return 2;
	if (dbsel_open(opts, &db) != 0)
		return 1;
	if (migrate_run(db.url) < 0)
		goto out;
	db_configure(&(struct db_config){ .url = db.url, .statement_timeout_ms = (int)stmt_timeout });
	if (db_connect_now() != 0) {
		log_error("serve: cannot use the database (see above)");
		goto out;
	}
	db_disconnect();   /* the main thread serves nothing; pool threads connect lazily */
	snprintf(base, sizeof base, "http://%s", opts[O_LISTEN].value);
	app_init(&(struct app_config){ .base_url = opts[O_BASE_URL].value ? opts[O_BASE_URL].value : base });
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
		       }, rt, &srv) != 0)
		goto out;
	log_info("Corral %s is running at %s (%s database)", CORRAL_VERSION, app_config()->base_url,
		 db.embedded ? "embedded" : "external");
	if (db.embedded)
		log_info("create the first admin with: corral user add NAME --role admin --data-dir %s",
			 opts[O_DATA_DIR].value);
	sig = serve_wait_signal();
	log_info("%s received: no new connections; finishing requests in flight",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_quiesce(srv);
	if (http_drain(srv, (int)drain) > 0)
		log_warn("shutdown: requests still in flight after %ld ms; closing them", drain);
	rc = 0;
out:
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

static const char main_usage[] =
	"usage: corral COMMAND [options]\n\n"
	"Commands:\n"
	"  serve      serve the forum over HTTP\n"
	"  migrate    apply schema migrations\n"
	"  cluster    start, stop or locate the embedded PostgreSQL cluster\n"
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
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("corral %s (schema %d)\n", CORRAL_VERSION, migrate_latest());
		return 0;
	}
	fprintf(stderr, "corral: unknown command '%s'\n\n%s", argv[1], main_usage);
	return 2;
}
