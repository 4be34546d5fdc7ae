/* db/cluster.c — initdb, pg_ctl start/stop of the embedded cluster, as the postgres user
 * when we are root. */
#include "db/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"

#define CLUSTER_PORT "5432"   /* names the socket file only: there is no TCP listener */

static bool
cluster_has(const char *dir, const char *prog)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/%s", dir, prog);
	return access(path, X_OK) == 0;
}

/* pg_ctl on PATH (with initdb beside it), else the newest /usr/lib/postgresql/N/bin. */
static int
cluster_find_bindir(char *out, size_t size)
{
	const char *path = getenv("PATH");
	char dir[4096];
	int best = 0;

	while (path && *path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && n < sizeof dir) {
			memcpy(dir, path, n);
			dir[n] = '\0';
			if (cluster_has(dir, "pg_ctl") && cluster_has(dir, "initdb")) {
				char link[4200], real[PATH_MAX], *slash;

				/* Follow a symlink (/usr/local/bin/pg_ctl → …/15/bin/pg_ctl) so the
				 * other programs (pg_dump, pg_basebackup) are found beside it. */
				snprintf(link, sizeof link, "%s/pg_ctl", dir);
				if (realpath(link, real) != NULL && (slash = strrchr(real, '/')) != NULL) {
					*slash = '\0';
					snprintf(out, size, "%s", real);
				} else {
					snprintf(out, size, "%s", dir);
				}
				return 0;
			}
		}
		path += n + (path[n] == ':');
	}
	DIR *d = opendir("/usr/lib/postgresql");
	struct dirent *e;

	if (d == NULL)
		goto none;
	while ((e = readdir(d)) != NULL) {
		int v = atoi(e->d_name);

		snprintf(dir, sizeof dir, "/usr/lib/postgresql/%s/bin", e->d_name);
		if (v > best && cluster_has(dir, "pg_ctl") && cluster_has(dir, "initdb")) {
			best = v;
			snprintf(out, size, "%s", dir);
		}
	}
	closedir(d);
	if (best > 0)
		return 0;
none:
	log_error("cluster: PostgreSQL's initdb and pg_ctl were found neither on PATH nor "
		  "under /usr/lib/postgresql/*/bin; install the postgresql package (script/bootstrap does)");
	return -1;
}

/* Run bindir/tool with argv and wait for it; c (may be NULL: run as ourselves, with our
 * stdout) says to run it as the cluster's user, in its own session so a Ctrl-C in the
 * terminal reaches Corral, which then stops PostgreSQL in order. stdout goes to /dev/null
 * unless keep_stdout. Returns the exit status or -1. */
static int
cluster_spawn(const struct cluster *c, const char *bindir, const char *tool, char *const argv[], bool keep_stdout)
{
	char prog[4200];
	pid_t pid;
	int status;

	snprintf(prog, sizeof prog, "%s/%s", bindir, tool);
	pid = fork();
	if (pid < 0) {
		log_error("cluster: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		/* The parent blocks SIGINT/SIGTERM for sigwait and ignores SIGPIPE; both would
		 * be inherited through exec and keep PostgreSQL from shutting down. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (c == NULL)
			goto exec;
		setsid();
		if (c->as_other_user) {
			struct passwd *pw = getpwuid(c->uid);

			if (setgid(c->gid) != 0 || (pw && initgroups(pw->pw_name, c->gid) != 0) ||
			    setuid(c->uid) != 0)
				_exit(126);
		}
		if (chdir(c->dir) != 0 && chdir("/") != 0)
			_exit(126);
		if (!keep_stdout) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
		}
exec:
		execv(prog, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run one of the cluster's own programs (argv[0] names it) as the cluster's user. */
static int
cluster_run(const struct cluster *c, char *const argv[], bool keep_stdout)
{
	return cluster_spawn(c, c->bindir, argv[0], argv, keep_stdout);
}

int
cluster_tool(const char *tool, char *const argv[])
{
	char bindir[4096];

	if (cluster_bindir(bindir, sizeof bindir) != 0)
		return -1;
	return cluster_spawn(NULL, bindir, tool, argv, true);
}

/* As root, can the postgres user reach dir? Checked in a child that becomes that user. */
static bool
cluster_reachable(const struct cluster *c, const char *dir)
{
	pid_t pid;
	int status;

	if (!c->as_other_user)
		return true;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (setgid(c->gid) != 0 || setuid(c->uid) != 0)
			_exit(1);
		_exit(access(dir, R_OK | W_OK | X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
cluster_mkdir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	log_error("cluster: cannot create %s: %s", path, strerror(errno));
	return -1;
}

static int
cluster_append_conf(const struct cluster *c)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/postgresql.conf", c->dir);
	f = fopen(path, "a");
	if (f == NULL) {
		log_error("cluster: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* Private cluster: Unix socket in its own folder, no TCP, owner-only socket. */
	fprintf(f, "\n# Added by corral\nlisten_addresses = ''\nunix_socket_directories = '%s'\n"
		   "unix_socket_permissions = 0700\nport = " CLUSTER_PORT "\nmax_connections = 200\n"
		   "shared_buffers = 128MB\n", c->dir);
	fclose(f);
	return 0;
}

static int
cluster_initdb(struct cluster *c)
{
	char *argv[] = { "initdb", "-D", c->dir, "-U", "postgres", "--auth=trust",
			 "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions", NULL };

	log_info("cluster: creating a PostgreSQL cluster in %s", c->dir);
	if (cluster_run(c, argv, false) != 0) {
		log_error("cluster: initdb failed for %s", c->dir);
		return -1;
	}
	return cluster_append_conf(c);
}

int
cluster_bindir(char *out, size_t size)
{
	return cluster_find_bindir(out, size);
}

int
cluster_open(const char *data_dir, struct cluster *ret)
{
	struct cluster c = { 0 };
	char abs[PATH_MAX], ver[4200];
	struct stat st;

	if (cluster_find_bindir(c.bindir, sizeof c.bindir) != 0)
		return -1;
	if (cluster_mkdir(data_dir, 0755) != 0)
		return -1;
	if (realpath(data_dir, abs) == NULL) {
		log_error("cluster: %s: %s", data_dir, strerror(errno));
		return -1;
	}
	if (strlen(abs) + sizeof "/pg" > sizeof c.dir) {
		log_error("cluster: the data dir path %s is too long", abs);
		return -1;
	}
	memcpy(c.dir, abs, strlen(abs));
	memcpy(c.dir + strlen(abs), "/pg", sizeof "/pg");
	if (strlen(c.dir) + sizeof "/.s.PGSQL." CLUSTER_PORT > sizeof(((struct sockaddr_un *)0)->sun_path)) {
		log_error("cluster: the data dir path %s is too long for a Unix socket path; "
			  "choose a shorter --data-dir", abs);
		return -1;
	}
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("postgres");

		if (pw == NULL) {
			log_error("cluster: running as root, but there is no 'postgres' system user "
				  "to run PostgreSQL as (install the postgresql package)");
			return -1;
		}
		c.as_other_user = true;
		c.uid = pw->pw_uid;
		c.gid = pw->pw_gid;
	} else {
		c.uid = geteuid();
		c.gid = getegid();
	}
	if (cluster_mkdir(c.dir, 0700) != 0)
		return -1;
	if (c.as_other_user && (stat(c.dir, &st) != 0 || st.st_uid != c.uid) &&
	    chown(c.dir, c.uid, c.gid) != 0) {
		log_error("cluster: cannot give %s to the postgres user: %s", c.dir, strerror(errno));
		return -1;
	}
	if (!cluster_reachable(&c, c.dir)) {
		log_error("cluster: PostgreSQL runs as the postgres user (Corral runs as root), and that "
			  "user cannot reach %s: a parent folder is not searchable by it (a checkout under "
			  "/root is 0700). Use --data-dir in a folder it can reach, e.g. /var/lib/corral "
			  "or /tmp/corral", c.dir);
		return -1;
	}
	snprintf(ver, sizeof ver, "%s/PG_VERSION", c.dir);
	if (access(ver, F_OK) != 0 && cluster_initdb(&c) != 0)
		return -1;
	snprintf(c.url, sizeof c.url, "postgresql:///corral?host=%s&port=" CLUSTER_PORT "&user=postgres",
		 c.dir);
	*ret = c;
	return 0;
}

bool
cluster_running(const struct cluster *c)
{
	char *argv[] = { "pg_ctl", "-D", (char *)c->dir, "status", NULL };

	return cluster_run(c, argv, false) == 0;
}

static int
cluster_create_db(const struct cluster *c)
{
	char url[4608];
	PGconn *pg;
	PGresult *res;
	int rc = 0;

	snprintf(url, sizeof url, "postgresql:///postgres?host=%s&port=" CLUSTER_PORT "&user=postgres",
		 c->dir);
	pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("cluster: cannot connect to the new cluster: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	res = PQexec(pg, "SELECT 1 FROM pg_database WHERE datname = 'corral'");
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
		PQclear(res);
		res = PQexec(pg, "CREATE DATABASE corral");
		/* Two processes racing to create it: the loser sees 42P04, which is fine. */
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "", "42P04") != 0) {
			log_error("cluster: CREATE DATABASE corral failed: %s", PQerrorMessage(pg));
			rc = -1;
		}
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}

int
cluster_start(struct cluster *c)
{
	char logpath[4200];
	char *argv[] = { "pg_ctl", "-D", c->dir, "-l", logpath, "-w", "-t", "60", "start", NULL };

	snprintf(logpath, sizeof logpath, "%s/server.log", c->dir);
	if (!cluster_running(c)) {
		if (cluster_run(c, argv, false) != 0) {
			log_error("cluster: PostgreSQL did not start; see %s", logpath);
			return -1;
		}
		c->started = true;
		log_info("cluster: PostgreSQL started in %s", c->dir);
	}
	return cluster_create_db(c);
}

int
cluster_stop(struct cluster *c, bool force)
{
	char *argv[] = { "pg_ctl", "-D", c->dir, "-m", "fast", "-w", "-t", "60", "stop", NULL };

	if (!c->started && !force)
		return 0;
	if (!cluster_running(c))
		return 0;
	if (cluster_run(c, argv, false) != 0) {
		log_error("cluster: pg_ctl stop failed for %s", c->dir);
		return -1;
	}
	c->started = false;
	log_info("cluster: PostgreSQL stopped");
	return 0;
}
