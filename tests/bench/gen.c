/* tests/bench/gen.c — the benchmark's forum, as COPY data for psql: users, categories,
 * threads and posts of a community whose size is given in posts, reproducible from a seed.
 *
 * Built and driven by tests/bench/gen, which wraps this output in the SQL that loads it
 * (with the triggers on, or off with counters recomputed set-wise) and checks the result.
 *
 * What it models, and why:
 * - a history of three years, threads starting evenly over it, each living for a few days
 *   (a few big ones for months); the posts of all threads interleave by time and take their
 *   ids in that order, so a thread's posts are spread over the table as in a real forum;
 * - thread sizes heavy-tailed (median about 8 posts, a few thousand at most), plus planted
 *   threads the benchmark aims at: 100 of exactly 50 posts and 10 of exactly 1,000, spread
 *   evenly over the history; a planted thread is drawn from its own seed, so thread k has
 *   the same shape and text at every size and pages compare across sizes;
 * - reply trees: most replies answer the opening post or a recent reply, some continue the
 *   latest post, and longer threads hold a 20-deep back-and-forth chain;
 * - each thread has a cast (about 1.5·√posts people) drawn from a skewed activity
 *   distribution; one account in fifteen is a practitioner (a doer);
 * - bodies from a few words to a few KB of Markdown (paragraphs, emphasis, code, lists,
 *   quotes, code blocks), rendered here by the same libcmark the server uses (no links,
 *   mentions or headings, the constructs the server post-processes).
 *
 * The path and depth columns are computed here exactly as the posts_set_path trigger does
 * (six base-62 digits per ancestor); when the trigger runs it overwrites them. */
#include <cmark-gfm.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_PLANT50 100
#define N_PLANT1000 10
#define N_TARGETS 100
#define MAX_DEPTH 300
#define N_CATEGORIES 12

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed * 0x100000001B3ull ^ (stream + 0x632BE59BD9B4E019ull);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_u64(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static double
rng_unit(struct rng *r)   /* [0, 1) */
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

static uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return n ? (uint64_t)(rng_unit(r) * (double)n) : 0;
}

static double
rng_gauss(struct rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static double
rng_exp(struct rng *r)
{
	return -log(1.0 - rng_unit(r));
}

/* ---- the community ---- */

static const char *const first_names[] = {
	"alex", "sam", "jordan", "maria", "li", "ahmed", "sofia", "lukas", "emma", "noah", "olga",
	"priya", "kenji", "fatima", "diego", "anna", "tom", "ines", "ravi", "chloe", "mateo", "yuki",
	"sara", "ivan", "nora", "omar", "lea", "ben", "mila", "felix", "hana", "jonas",
};
static const char *const last_names[] = {
	"ops", "desk", "itil", "smith", "kumar", "garcia", "muller", "rossi", "tanaka", "novak",
	"silva", "dubois", "jensen", "kowalski", "nguyen", "brown", "lopez", "weber", "costa",
	"ivanova", "haddad", "olsen", "moreau", "santos",
};
static const char *const display_last[] = {
	"Ops", "Desk", "Smith", "Kumar", "Garcia", "Müller", "Rossi", "Tanaka", "Novák", "Silva",
	"Dubois", "Jensen", "Kowalski", "Nguyen", "Brown", "López", "Weber", "Costa", "Ivanova",
	"Haddad", "Olsen", "Moreau", "Santos", "O'Neill",
};

/* community role slugs as 0001_init.sql defines them; practitioner is the doer */
static const char *const roles[] = { "practitioner", "consultant", "vendor", "analyst", "trainer", "other" };

static const struct {
	const char *slug, *name, *description;
	double weight;
} categories[N_CATEGORIES] = {
	{ "general", "General", "Anything about running IT services that fits nowhere else.", 3.0 },
	{ "incident-management", "Incident management", "Restoring service fast: triage, major incidents, on-call.", 5.0 },
	{ "change-management", "Change management", "CABs, risk, standard changes and the path to continuous delivery.", 4.0 },
	{ "service-desk", "Service desk", "The front line: tickets, channels, shift-left and self-service.", 6.0 },
	{ "problem-management", "Problem management", "Root causes, known errors and making incidents not come back.", 2.0 },
	{ "tooling", "Tooling", "ITSM platforms, integrations, automation and the scripts that glue them.", 4.0 },
	{ "asset-management", "Asset and configuration", "CMDBs, discovery, licences and the truth about what we run.", 2.0 },
	{ "devops", "DevOps and SRE", "Where ITSM meets delivery pipelines, SLOs and error budgets.", 3.0 },
	{ "metrics", "Metrics and reporting", "What to measure, what not to, and how to show it.", 2.0 },
	{ "knowledge", "Knowledge management", "Articles, KCS, search, and keeping it all current.", 1.5 },
	{ "careers", "Careers", "Certifications, hiring, growing teams and people.", 1.5 },
	{ "off-topic", "Off topic", "The rest.", 1.0 },
};

static const char *const words[] = {
	"the", "the", "the", "a", "a", "and", "and", "to", "to", "of", "of", "in", "in", "is", "it",
	"we", "we", "our", "you", "they", "that", "this", "for", "with", "on", "not", "but", "be",
	"have", "was", "are", "when", "what", "how", "if", "or", "at", "from", "by", "all", "one",
	"team", "teams", "incident", "incidents", "change", "changes", "ticket", "tickets", "service",
	"services", "desk", "agent", "agents", "customer", "customers", "user", "users", "process",
	"processes", "problem", "problems", "root", "cause", "priority", "impact", "urgency", "SLA",
	"SLAs", "OLA", "escalation", "queue", "backlog", "workflow", "approval", "CAB", "risk",
	"release", "deployment", "rollback", "outage", "downtime", "monitoring", "alert", "alerts",
	"on-call", "runbook", "automation", "script", "CMDB", "asset", "licence", "discovery",
	"knowledge", "article", "portal", "self-service", "catalogue", "request", "requests",
	"metric", "metrics", "dashboard", "report", "MTTR", "backlog", "vendor", "tool", "platform",
	"integration", "API", "budget", "management", "manager", "practitioner", "practice",
	"framework", "ITIL", "maturity", "culture", "people", "shift", "week", "month", "year",
	"usually", "never", "always", "sometimes", "really", "actually", "probably", "simply",
	"works", "worked", "broke", "fixed", "tried", "found", "measure", "measured", "track",
	"tracked", "reduce", "reduced", "improve", "improved", "escalate", "escalated", "close",
	"closed", "open", "reopened", "assign", "assigned", "review", "reviewed", "standard",
	"normal", "emergency", "major", "minor", "first", "second", "third", "line", "level",
	"support", "engineer", "engineers", "operations", "network", "database", "server", "cloud",
	"migration", "upgrade", "patch", "patches", "window", "freeze", "weekend", "night",
	"morning", "lesson", "lessons", "learned", "post-mortem", "blameless", "timeline",
	"evidence", "data", "numbers", "experience", "opinion", "question", "answer", "idea",
	"ideas", "proposal", "pilot", "rollout", "training", "certification", "budget", "cost",
	"costs", "value", "time", "hours", "minutes", "days", "faster", "slower", "better",
	"worse", "simple", "complex", "manual", "automatic", "reliable", "fragile", "critical",
};
#define N_WORDS (sizeof words / sizeof words[0])

static const char *const code_words[] = {
	"status=resolved", "priority:P1", "kubectl rollout undo", "SELECT count(*)", "retry_after",
	"assignment_group", "cron 0 3 * * *", "sla_breach", "incident.close()", "change_window",
	"git revert", "escalate --tier 2", "MTTR < 4h", "ci_class", "auto-assign",
};
#define N_CODE (sizeof code_words / sizeof code_words[0])

static const char *const short_bodies[] = {
	"+1, same here.", "Thanks, that helped.", "Agreed.", "Same problem on our side.",
	"Any update on this?", "Following.", "Great write-up, thank you!", "We do exactly this.",
	"Interesting, tell us more?", "Not in our experience.", "Bookmarked.", "This.",
};
#define N_SHORT (sizeof short_bodies / sizeof short_bodies[0])

static const char *const title_openers[] = {
	"How do you handle", "Best way to manage", "Has anyone automated", "Struggling with",
	"Lessons learned from", "Is it worth measuring", "Who owns", "Rethinking",
	"A practitioner's view on", "Tools for", "Metrics for", "Getting buy-in for",
	"What went wrong with", "Templates for", "Scaling", "Cutting costs in",
};
static const char *const title_topics[] = {
	"major incidents", "standard changes", "the CAB", "after-hours escalation",
	"ticket backlog", "self-service adoption", "problem records", "the CMDB",
	"SLA breaches", "knowledge articles", "on-call rotations", "vendor tickets",
	"release freezes", "post-incident reviews", "request fulfilment", "shift-left",
	"asset discovery", "MTTR", "change risk scoring", "duplicate tickets",
	"customer satisfaction surveys", "service catalogue design", "emergency changes",
	"alert fatigue", "licence audits", "chatbots on the desk", "tiered support",
};
static const char *const title_tails[] = {
	"", "", "", " in a small team", " at scale", " without a big tool", "?", " — advice?",
	" in 2026", " across time zones", " with ITIL 4", " for MSPs", " in regulated industries",
};
#define NA(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a growable byte buffer ---- */

struct sb {
	char *d;
	size_t n, cap;
};

static void
sb_need(struct sb *b, size_t more)
{
	if (b->n + more + 1 > b->cap) {
		b->cap = (b->n + more + 1) * 2;
		b->d = realloc(b->d, b->cap);
		if (b->d == NULL) {
			perror("gen: realloc");
			exit(1);
		}
	}
}

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	sb_need(b, n);
	memcpy(b->d + b->n, s, n);
	b->n += n;
	b->d[b->n] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_need(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->d + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* A COPY text field: backslash, tab, newline and carriage return escaped. */
static void
sb_copy_field(struct sb *b, const char *s, size_t n)
{
	sb_need(b, 2 * n);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			b->d[b->n++] = '\\';
			b->d[b->n++] = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else {
			b->d[b->n++] = c;
		}
	}
	b->d[b->n] = '\0';
}

static void
sb_flush(struct sb *b)
{
	if (b->n && fwrite(b->d, 1, b->n, stdout) != b->n) {
		perror("gen: write");
		exit(1);
	}
	b->n = 0;
}

/* ---- text ---- */

static void
gen_sentence(struct rng *r, struct sb *b, int nwords)
{
	for (int i = 0; i < nwords; i++) {
		const char *w = words[rng_below(r, N_WORDS)];
		double x = rng_unit(r);

		if (i)
			sb_add(b, " ", 1);
		if (x < 0.015 && i > 0) {
			sb_printf(b, "*%s*", w);
		} else if (x < 0.025 && i > 0) {
			sb_printf(b, "**%s**", w);
		} else if (x < 0.035) {
			sb_printf(b, "`%s`", code_words[rng_below(r, N_CODE)]);
		} else if (i == 0) {
			sb_need(b, strlen(w));
			sb_str(b, w);
			if (b->d[b->n - strlen(w)] >= 'a' && b->d[b->n - strlen(w)] <= 'z')
				b->d[b->n - strlen(w)] = (char)(b->d[b->n - strlen(w)] - 'a' + 'A');
		} else {
			sb_str(b, w);
		}
		if (i + 1 < nwords && rng_unit(r) < 0.06)
			sb_add(b, ",", 1);
	}
	sb_add(b, rng_unit(r) < 0.12 ? "?" : ".", 1);
}

/* Markdown of about target bytes. */
static void
gen_body(struct rng *r, struct sb *b, size_t target)
{
	b->n = 0;
	if (target < 40) {
		sb_str(b, short_bodies[rng_below(r, N_SHORT)]);
		return;
	}
	if (rng_unit(r) < 0.15) {   /* quoting the post answered */
		sb_str(b, "> ");
		gen_sentence(r, b, 6 + (int)rng_below(r, 14));
		sb_str(b, "\n\n");
	}
	while (b->n < target) {
		double x = rng_unit(r);

		if (b->n > 0 && b->d[b->n - 1] != '\n')
			sb_str(b, "\n\n");
		if (x < 0.08 && target > 300) {
			int items = 2 + (int)rng_below(r, 4);

			for (int i = 0; i < items; i++) {
				sb_str(b, rng_unit(r) < 0.5 ? "- " : "* ");
				gen_sentence(r, b, 3 + (int)rng_below(r, 9));
				sb_str(b, "\n");
			}
			sb_str(b, "\n");
		} else if (x < 0.11 && target > 500) {
			int lines = 2 + (int)rng_below(r, 6);

			sb_str(b, "```\n");
			for (int i = 0; i < lines; i++) {
				sb_str(b, code_words[rng_below(r, N_CODE)]);
				sb_str(b, "\n");
			}
			sb_str(b, "```\n\n");
		} else {
			int sentences = 1 + (int)rng_below(r, 5);

			for (int i = 0; i < sentences && b->n < target + 40; i++) {
				if (i)
					sb_add(b, " ", 1);
				gen_sentence(r, b, 5 + (int)rng_below(r, 18));
			}
		}
	}
	while (b->n > 0 && b->d[b->n - 1] == '\n')
		b->d[--b->n] = '\0';
}

/* Lognormal body size: median 260 bytes, a few words up to 8 KB. */
static size_t
body_target(struct rng *r)
{
	double x = exp(log(260.0) + 1.05 * rng_gauss(r));

	if (x < 12)
		x = 12;
	if (x > 8000)
		x = 8000;
	return (size_t)x;
}

/* threads_slug() of forum/threads.c */
static void
slugify(const char *title, char *s)
{
	size_t n = 0;
	int dash = 0;

	for (const unsigned char *p = (const unsigned char *)title; *p && n < 60; p++) {
		int c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (dash && n > 0)
				s[n++] = '-';
			if (n < 60)
				s[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
			dash = 0;
		} else {
			dash = 1;
		}
	}
	s[n] = '\0';
}

/* post_path_seg() of 0003_forum.sql */
static void
path_seg(int64_t id, char out[6])
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	for (int i = 5; i >= 0; i--) {
		out[i] = digits[id % 62];
		id /= 62;
	}
}

/* ---- the model ---- */

enum { ST_VISIBLE, ST_DELETED, ST_HIDDEN, ST_PENDING };
static const char *const states[] = { "visible", "deleted", "hidden", "pending" };

struct thread {
	int64_t start;          /* µs since the epoch */
	uint32_t base, n;       /* posts[base .. base+n) */
	uint32_t author;
	uint8_t category, state, pinned, locked, kind; /* kind: 0 random, 1 p50, 2 p1000, 3 target */
	uint64_t seed;
};

struct post {
	int64_t t;
	uint32_t thread;
	int32_t parent;         /* local index in its thread, -1 for the opening post */
	uint32_t author;
	uint16_t depth;
	uint8_t state;
	uint8_t edited;
	uint64_t seed;
};

static struct thread *threads;
static struct post *posts;
static uint32_t *perm;          /* posts in id order: perm[id-1] = index into posts */
static uint32_t *idof;          /* idof[index] = post id */
static uint32_t n_users, n_threads;
static uint64_t n_posts, seed = 42, batch;
static int64_t t_end, t_start;

static int
cmp_post(const void *a, const void *b)
{
	const struct post *x = &posts[*(const uint32_t *)a], *y = &posts[*(const uint32_t *)b];

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Heavy-tailed activity: a few accounts write much of the forum. */
static uint32_t
pick_user(struct rng *r)
{
	return 1 + (uint32_t)((double)n_users * pow(rng_unit(r), 2.2));
}

/* A thread's posts: local 0 is the opening post; parents, authors, times and states. */
static void
make_thread(struct thread *th, uint32_t index)
{
	struct rng r;
	uint32_t n = th->n, cast_n, chain_left = 0, chain_a = 0, chain_b = 0;
	uint32_t cast[512];
	double life, acc = 0, *gaps;
	struct post *p = &posts[th->base];

	rng_seed(&r, seed, th->seed);
	cast_n = (uint32_t)lround(2.0 + 1.5 * sqrt((double)n) * exp(0.35 * rng_gauss(&r)));
	if (cast_n > n)
		cast_n = n;
	if (cast_n > 512)
		cast_n = 512;
	if (cast_n < 1)
		cast_n = 1;
	for (uint32_t i = 0; i < cast_n; i++)
		cast[i] = pick_user(&r);
	th->author = cast[0];
	/* Life: a couple of days typically, months for the big ones; never past the end. */
	life = 86400.0 * 1e6 * exp(log(2.0) + 1.0 * rng_gauss(&r)) * (1.0 + (double)n / 40.0);
	if (th->start + (int64_t)life > t_end - 60000000)
		life = (double)(t_end - 60000000 - th->start);
	gaps = malloc(sizeof *gaps * (n + 1));
	for (uint32_t i = 0; i <= n; i++) {
		gaps[i] = rng_exp(&r);
		acc += gaps[i];
	}
	for (uint32_t j = 0; j < n; j++) {
		struct post *q = &p[j];
		double x;

		q->thread = index;
		q->seed = rng_u64(&r);
		q->edited = rng_unit(&r) < 0.03;
		if (j == 0) {
			q->t = th->start;
			q->parent = -1;
			q->depth = 0;
			q->author = cast[0];
			q->state = th->state == ST_PENDING ? ST_PENDING : ST_VISIBLE;
			continue;
		}
		q->t = p[j - 1].t + 1 + (int64_t)(life * gaps[j] / acc);
		x = rng_unit(&r);
		if (chain_left == 0 && n >= 30 && j + 22 < n && rng_unit(&r) < 0.5 / (double)n + 1.0 / 400.0) {
			chain_left = 20;
			chain_a = cast[rng_below(&r, cast_n)];
			chain_b = cast[rng_below(&r, cast_n)];
		}
		if (chain_left > 0) {
			q->parent = (int32_t)j - 1;
			q->author = chain_left % 2 ? chain_a : chain_b;
			chain_left--;
		} else {
			if (x < 0.40)
				q->parent = 0;
			else if (x < 0.65)
				q->parent = (int32_t)rng_below(&r, j);
			else if (x < 0.90)
				q->parent = (int32_t)j - 1;
			else
				q->parent = (int32_t)(j - 1 - rng_below(&r, j < 5 ? j : 5));
			x = rng_unit(&r);
			q->author = x < 0.15 ? cast[0] : cast[(uint32_t)((double)cast_n * pow(rng_unit(&r), 1.5))];
		}
		if (p[q->parent].depth + 1 >= MAX_DEPTH)
			q->parent = 0;
		q->depth = (uint16_t)(p[q->parent].depth + 1);
		x = rng_unit(&r);
		q->state = x < 0.985 ? ST_VISIBLE : x < 0.995 ? ST_DELETED : x < 0.998 ? ST_HIDDEN : ST_PENDING;
	}
	free(gaps);
}

static void
progress(const char *what, uint64_t done, uint64_t total, time_t t0)
{
	fprintf(stderr, "\rgen: %-8s %9llu / %llu  %3d %%  %3lds", what, (unsigned long long)done,
		(unsigned long long)total, total ? (int)(100 * done / total) : 100, (long)(time(NULL) - t0));
	fflush(stderr);
}

static void
ts(struct sb *b, int64_t us)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	char buf[40];

	gmtime_r(&s, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	sb_printf(b, "%s.%06lld+00", buf, (long long)(us % 1000000));
}

static uint32_t
thread_size(struct rng *r)
{
	double x = 1.0 + floor(exp(1.9 + 1.25 * rng_gauss(r)));

	return x > 3000 ? 3000 : (uint32_t)x;
}

int
main(int argc, char **argv)
{
	struct rng r;
	struct sb out = { 0 }, md = { 0 };
	uint32_t *sizes = NULL, n_sizes = 0, cap = 0, step;
	uint64_t planted = (uint64_t)N_PLANT50 * 50 + (uint64_t)N_PLANT1000 * 1000, sum = 0;
	time_t t0 = time(NULL);
	const char *meta = NULL;
	char *rv;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--posts") == 0 && i + 1 < argc)
			n_posts = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--end") == 0 && i + 1 < argc)
			t_end = strtoll(argv[++i], NULL, 10) * 1000000;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
			batch = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--meta") == 0 && i + 1 < argc)
			meta = argv[++i];
		else {
			fprintf(stderr, "usage: gen --posts N [--seed S] [--end UNIX_SECONDS] [--batch ROWS] [--meta FILE]\n");
			return 2;
		}
	}
	if (n_posts < planted * 4) {
		fprintf(stderr, "gen: --posts must be at least %llu\n", (unsigned long long)planted * 4);
		return 2;
	}
	if (t_end == 0)
		t_end = 1793491200ll * 1000000;   /* 2026-11-01 00:00 UTC */
	t_start = t_end - 3ll * 365 * 86400 * 1000000;
	n_users = (uint32_t)(n_posts / 50 < 1000 ? 1000 : n_posts / 50);

	/* Thread sizes: random ones until the posts are spent, then the planted ones. */
	rng_seed(&r, seed, 1);
	while (sum < n_posts - planted) {
		uint32_t s = thread_size(&r);

		if (sum + s > n_posts - planted)
			s = (uint32_t)(n_posts - planted - sum);
		if (n_sizes == cap) {
			cap = cap ? cap * 2 : 65536;
			sizes = realloc(sizes, sizeof *sizes * cap);
		}
		sizes[n_sizes++] = s;
		sum += s;
	}
	n_threads = n_sizes + N_PLANT50 + N_PLANT1000;
	step = n_threads / N_PLANT50;
	if (step < 8) {
		fprintf(stderr, "gen: too few threads for the planted ones\n");
		return 2;
	}
	threads = calloc(n_threads, sizeof *threads);
	posts = calloc(n_posts, sizeof *posts);
	if (threads == NULL || posts == NULL) {
		fprintf(stderr, "gen: out of memory\n");
		return 1;
	}
	/* Thread k (0-based) starts at an even pace over the history; planted threads sit at
	 * fixed strides so a benchmark reaches them by formula (ids are k+1). */
	for (uint32_t i = 0; i < n_threads; i++)
		threads[i].kind = 0;
	for (uint32_t k = 0; k < N_PLANT50; k++)
		threads[k * step + step / 2].kind = 1;
	for (uint32_t k = 0; k < N_PLANT1000; k++)
		threads[k * step * 10 + step / 4].kind = 2;
	for (uint32_t k = 0; k < N_TARGETS; k++)
		threads[k * step + 3 * step / 4].kind = 3;
	{
		uint32_t next = 0, base = 0, p50 = 0, p1000 = 0;
		double span = (double)(t_end - t_start - 7ll * 86400 * 1000000);

		for (uint32_t i = 0; i < n_threads; i++) {
			struct thread *th = &threads[i];
			double x;

			th->start = t_start + (int64_t)(span * ((double)i + 0.9 * rng_unit(&r)) / (double)n_threads);
			if (th->kind == 1) {
				th->n = 50;
				th->seed = 1000000 + p50++;
			} else if (th->kind == 2) {
				th->n = 1000;
				th->seed = 2000000 + p1000++;
			} else {
				th->n = sizes[next++];
				th->seed = 10000000 + (uint64_t)i;
			}
			th->base = base;
			base += th->n;
			x = rng_unit(&r) * 35.0;
			th->category = 0;
			for (int c = 0; c < N_CATEGORIES; c++) {
				if (x < categories[c].weight) {
					th->category = (uint8_t)c;
					break;
				}
				x -= categories[c].weight;
			}
			x = rng_unit(&r);
			th->state = ST_VISIBLE;
			if (th->kind == 0 && x < 0.003)
				th->state = ST_HIDDEN;
			else if (th->kind == 0 && x < 0.006)
				th->state = ST_DELETED;
			else if (th->kind == 0 && x < 0.007 && th->n == 1)
				th->state = ST_PENDING;
			th->locked = th->kind == 0 && rng_unit(&r) < 0.01;
			th->pinned = 0;
		}
		/* One pinned thread in each of the first four categories: the newest of each. */
		for (int c = 0; c < 4; c++)
			for (uint32_t i = n_threads; i-- > 0;)
				if (threads[i].category == c && threads[i].kind == 0 && threads[i].state == ST_VISIBLE) {
					threads[i].pinned = 1;
					break;
				}
	}
	free(sizes);
	for (uint32_t i = 0; i < n_threads; i++) {
		make_thread(&threads[i], i);
		if (i % 4096 == 0)
			progress("threads", i, n_threads, t0);
	}
	progress("threads", n_threads, n_threads, t0);
	perm = malloc(sizeof *perm * n_posts);
	idof = malloc(sizeof *idof * n_posts);
	for (uint64_t i = 0; i < n_posts; i++)
		perm[i] = (uint32_t)i;
	qsort(perm, n_posts, sizeof *perm, cmp_post);
	for (uint64_t k = 0; k < n_posts; k++)
		idof[perm[k]] = (uint32_t)(k + 1);

	/* ---- output ---- */
	rv = (char *)cmark_version_string();
	sb_str(&out, "COPY users (id, username, display_name, email, password_hash, role, community_role,"
		     " role_verified, approved_posts, created_at) FROM STDIN;\n");
	rng_seed(&r, seed, 2);
	for (uint32_t u = 1; u <= n_users; u++) {
		double x = rng_unit(&r);
		int role = x < 1.0 / 15.0 ? 0 : x < 0.42 ? 1 : x < 0.66 ? 2 : x < 0.78 ? 3 : x < 0.90 ? 4 : 5;
		const char *fn = first_names[rng_below(&r, NA(first_names))];
		const char *ln = last_names[rng_below(&r, NA(last_names))];
		const char *dl = display_last[rng_below(&r, NA(display_last))];

		/* bench-passw0rd for everyone: argon2id with libsodium's interactive limits */
		sb_printf(&out, "%u\t%s_%s%u\t%c%s %s\t%s\t%s\tmember\t%s\t%s\t%d\t", u, fn, ln, u,
			  fn[0] - 'a' + 'A', fn + 1, dl, rng_unit(&r) < 0.6 ? "\\N" : "someone@example.org",
			  "$argon2id$v=19$m=65536,t=2,p=1$Y29ycmFsYmVuY2hzYWx0IQ$"
			  "rGr0YssAQxx/GO2H5+hyQNweM4R8XZZ0hG8q/UU0TyQ",
			  roles[role], role == 0 && rng_unit(&r) < 0.3 ? "t" : "f", 5);
		ts(&out, t_start - (int64_t)(rng_unit(&r) * 365.0 * 86400e6));
		sb_str(&out, "\n");
		if (out.n > 1 << 20)
			sb_flush(&out);
	}
	sb_str(&out, "\\.\n");
	/* 'general' (id 1) comes from the migration; the others follow it. */
	sb_str(&out, "COPY categories (id, slug, name, description, position, created_at) FROM STDIN;\n");
	for (int c = 1; c < N_CATEGORIES; c++) {
		sb_printf(&out, "%d\t%s\t%s\t%s\t%d\t", c + 1, categories[c].slug, categories[c].name,
			  categories[c].description, c + 1);
		ts(&out, t_start - 86400ll * 1000000);
		sb_str(&out, "\n");
	}
	sb_str(&out, "\\.\n");
#define THREADS_COPY "COPY threads (id, category_id, title, slug, author_id, state, pinned, locked," \
		     " created_at, last_post_at) FROM STDIN;\n"
	sb_str(&out, THREADS_COPY);
	for (uint32_t i = 0; i < n_threads; i++) {
		struct thread *th = &threads[i];
		struct rng tr;
		char title[300], slug[64];

		if (batch && i > 0 && i % batch == 0)
			sb_str(&out, "\\.\nCOMMIT;\nBEGIN;\n" THREADS_COPY);

		rng_seed(&tr, seed, th->seed ^ 0x5eedull);
		snprintf(title, sizeof title, "%s %s%s", title_openers[rng_below(&tr, NA(title_openers))],
			 title_topics[rng_below(&tr, NA(title_topics))], title_tails[rng_below(&tr, NA(title_tails))]);
		if (th->kind == 0 && rng_unit(&tr) < 0.5)   /* titles repeat in real forums too, mostly not */
			snprintf(title + strlen(title), sizeof title - strlen(title), " (%s)",
				 words[rng_below(&tr, N_WORDS)]);
		slugify(title, slug);
		sb_printf(&out, "%u\t%d\t%s\t%s\t%u\t%s\t%s\t%s\t", i + 1, th->category + 1, title, slug,
			  th->author, states[th->state], th->pinned ? "t" : "f", th->locked ? "t" : "f");
		ts(&out, th->start);
		sb_str(&out, "\t");
		ts(&out, th->start);
		sb_str(&out, "\n");
		if (out.n > 1 << 20)
			sb_flush(&out);
	}
	sb_str(&out, "\\.\n");
#define POSTS_COPY "COPY posts (id, thread_id, parent_id, author_id, path, depth, state, body, body_html," \
		     " render_version, created_at, edited_at, deleted_at) FROM STDIN;\n"
	sb_str(&out, POSTS_COPY);
	for (uint64_t k = 0; k < n_posts; k++) {
		struct post *q = &posts[perm[k]];
		struct thread *th = &threads[q->thread];
		uint32_t chain[MAX_DEPTH + 1];
		int depth = 0;
		struct rng br;
		char *html;
		int64_t edited;

		/* With the triggers on, one transaction per batch: counters updated thousands of
		 * times in one transaction leave version chains that every update walks. */
		if (batch && k > 0 && k % batch == 0)
			sb_str(&out, "\\.\nCOMMIT;\nBEGIN;\n" POSTS_COPY);

		/* path: ids of the ancestors, root first */
		for (int32_t l = (int32_t)(perm[k] - th->base);; l = posts[th->base + (uint32_t)l].parent) {
			chain[depth++] = idof[th->base + (uint32_t)l];
			if (posts[th->base + (uint32_t)l].parent < 0)
				break;
		}
		sb_printf(&out, "%llu\t%u\t", (unsigned long long)(k + 1), q->thread + 1);
		if (q->parent < 0)
			sb_str(&out, "\\N");
		else
			sb_printf(&out, "%u", idof[th->base + (uint32_t)q->parent]);
		sb_printf(&out, "\t%u\t", q->author);
		for (int d = depth - 1; d >= 0; d--) {
			char seg[6];

			path_seg(chain[d], seg);
			sb_add(&out, seg, 6);
		}
		sb_printf(&out, "\t%d\t%s\t", depth - 1, states[q->state]);
		rng_seed(&br, seed, q->seed);
		gen_body(&br, &md, q->parent < 0 ? body_target(&br) * 2 : body_target(&br));
		sb_copy_field(&out, md.d, md.n);
		sb_str(&out, "\t");
		html = cmark_markdown_to_html(md.d, md.n, CMARK_OPT_DEFAULT);
		sb_copy_field(&out, html, strlen(html));
		free(html);
		sb_printf(&out, "\t%s\t", rv);
		ts(&out, q->t);
		sb_str(&out, "\t");
		edited = q->edited ? q->t + 60000000 + (int64_t)(rng_unit(&br) * 3600e6) : 0;
		if (q->edited)
			ts(&out, edited);
		else
			sb_str(&out, "\\N");
		/* deleted_at as schema 0016 backfills it: CHECK posts_deleted_at holds during COPY */
		sb_str(&out, "\t");
		if (q->state == ST_DELETED)
			ts(&out, q->edited ? edited : q->t);
		else
			sb_str(&out, "\\N");
		sb_str(&out, "\n");
		if (out.n > 1 << 20)
			sb_flush(&out);
		if (k % 20000 == 0)
			progress("posts", k, n_posts, t0);
	}
	sb_str(&out, "\\.\n");
	sb_flush(&out);
	progress("posts", n_posts, n_posts, t0);
	fprintf(stderr, "\n");
	if (meta) {
		FILE *f = fopen(meta, "w");
		uint32_t p50 = 0, p1000 = 0, tg = 0;

		if (f == NULL) {
			perror(meta);
			return 1;
		}
		/* The planted threads by formula: id = first + k * stride. */
		fprintf(f, "{\n  \"posts\": %llu,\n  \"users\": %u,\n  \"threads\": %u,\n  \"categories\": %d,\n"
			   "  \"seed\": %llu,\n  \"end\": %lld,\n  \"password\": \"bench-passw0rd\",\n",
			(unsigned long long)n_posts, n_users, n_threads, N_CATEGORIES,
			(unsigned long long)seed, (long long)(t_end / 1000000));
		fprintf(f, "  \"thread50\": {\"first\": %u, \"stride\": %u, \"count\": %d},\n", step / 2 + 1, step,
			N_PLANT50);
		fprintf(f, "  \"thread1000\": {\"first\": %u, \"stride\": %u, \"count\": %d},\n", step / 4 + 1,
			step * 10, N_PLANT1000);
		fprintf(f, "  \"targets\": {\"first\": %u, \"stride\": %u, \"count\": %d},\n", 3 * step / 4 + 1,
			step, N_TARGETS);
		for (uint32_t i = 0; i < n_threads; i++) {
			p50 += threads[i].kind == 1;
			p1000 += threads[i].kind == 2;
			tg += threads[i].kind == 3;
		}
		fprintf(f, "  \"check\": [%u, %u, %u]\n}\n", p50, p1000, tg);
		fclose(f);
	}
	free(out.d);
	free(md.d);
	return 0;
}
