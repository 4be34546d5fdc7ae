#!/usr/bin/env bash
# tests/bench/search_latency.sh — latency of full-text search (GET /api/v1/search) and of
# similar-thread lookup (GET /api/v1/threads/similar) on a generated forum of at least
# 100 000 posts. A benchmark, not a test: it prints figures and never fails a build.
#
#   tests/bench/search_latency.sh [POSTS] [QUERIES]        defaults: 100000 300
#
# It makes a throwaway cluster under /tmp (`corral cluster`), migrates it, loads users,
# threads, posts and ideas whose text is drawn from ~2 100 word forms of ~420 ITSM and
# business words (Zipf-like: a few words are everywhere, most are rare, as in real
# discussions), starts `corral serve` on it and times QUERIES requests of each kind from
# one keep-alive client, one at a time, after a warm-up. Needs a built corral
# (CORRAL_BIN, default build/server/corral), psql and python3 with requests.
#
# CORRAL_BENCH_KEEP=1 keeps the cluster (its URL and folder are printed);
# CORRAL_BENCH_URL=URL (with CORRAL_BENCH_DIR=its folder) measures an already loaded one.
set -euo pipefail
cd "$(dirname "$0")/../.."
posts=${1:-100000}
queries=${2:-300}
corral=${CORRAL_BIN:-$PWD/build/server/corral}
server_pid=

cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [[ -n "${CORRAL_BENCH_KEEP:-}" || -n "${CORRAL_BENCH_URL:-}" ]]; then
    echo "kept: $url (cluster in $work/db)"
  else
    "$corral" cluster stop --data-dir "$work/db" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}

# Generate the forum as tab-separated files, then COPY them in (the triggers keep every
# counter and vector as the application would).
load() {
  echo "generating $posts posts…"
  /usr/bin/python3 - "$work" "$posts" <<'PY'
import random, sys
work, total = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
base = """incident problem change release deployment service desk catalogue catalog request
fulfilment fulfillment knowledge article runbook outage downtime availability capacity
continuity disaster recovery backup restore monitoring alert event correlation noise
escalation priority severity impact urgency triage queue backlog ticket workflow approval
cab advisory board emergency standard normal freeze window rollback rollout pipeline
automation script orchestration integration api connector cmdb configuration item asset
inventory licence license software hardware vendor contract renewal cost budget spend
saving reduction value outcome metric kpi sla ola slo target breach report dashboard
survey satisfaction customer user employee experience portal self help chat bot virtual
agent email phone walk-in shift handover onboarding offboarding access password reset
identity account permission role security vulnerability patch compliance audit control
risk policy process procedure practice framework itil cobit devops agile lean scrum
kanban sprint retrospective improvement maturity assessment baseline benchmark tool
platform servicenow jira cherwell topdesk freshservice zendesk bmc remedy ivanti migration
upgrade implementation project programme portfolio roadmap strategy governance
stakeholder sponsor manager team lead analyst engineer technician practitioner
consultant trainer certification training course exam foundation expert community
forum meetup conference webinar blog podcast book template checklist guide example case
study lesson learned postmortem review root cause analysis fishbone timeline blameless
culture behaviour behavior morale burnout workload staffing hiring budgeting forecasting
planning scheduling calendar maintenance window server network database storage cloud
datacentre datacenter container kubernetes virtual machine desktop laptop mobile device
printer application website latency performance throughput error failure bug defect fix
workaround known error major minor critical high medium low trend pattern recurring
repeat volume demand supply chain procurement purchase order invoice finance chargeback
showback allocation tagging owner ownership accountability responsibility raci matrix
catalogue-item offering subscription entitlement bundle tier gold silver bronze support
hours coverage global local regional site office remote hybrid outsourcing insourcing
partner supplier managed provider msp contractor freelancer agency internal external
quality assurance testing acceptance validation verification sign-off documentation
wiki confluence sharepoint intranet search taxonomy category tag label naming convention
data model field form attribute record relationship dependency mapping discovery probe
agent-based agentless scan schedule job batch nightly weekly monthly quarterly annual
fiscal year quarter month week day morning evening weekend holiday peak season
collaboration communication meeting standup huddle stand-up update status notification
message announcement newsletter feedback complaint compliment suggestion idea proposal
pilot experiment trial proof concept prototype mvp feature requirement specification
design architecture diagram blueprint standardisation standardization simplification
consolidation rationalisation rationalization decommission retire sunset legacy mainframe
modernisation modernization transformation digital journey mapping persona empathy
frontline operator caretaker helper doer voice""".split()
forms = []
for w in base:
    forms += [w, w + "s", w + "ing", w + "ed", w + "er"]
stop = "the a an and or of to in for on with at by from is are was be it this that we our you".split()
rng.shuffle(forms)
weights = [1.0 / (i + 1) ** 1.05 for i in range(len(forms))]   # Zipf-like

def words(n):
    out = []
    for w in rng.choices(forms, weights, k=n):
        out.append(w)
        if rng.random() < 0.35:
            out.append(rng.choice(stop))
    return " ".join(out)

users, threads = 500, max(1, total // 5)
roles = ["practitioner", "consultant", "vendor", "analyst", "trainer", "other"]
with open(work + "/users.tsv", "w") as f:
    for i in range(users):
        f.write("bench%04d\tx\t%s\n" % (i, roles[i % len(roles)]))
with open(work + "/threads.tsv", "w") as f, open(work + "/ops.tsv", "w") as ops:
    for t in range(1, threads + 1):
        title = " ".join(rng.choice(forms[:600]) for _ in range(rng.randint(4, 9))).capitalize()
        f.write("1\t%s\t\t%d\tvisible\n" % (title, rng.randint(1, users)))
        body = words(rng.randint(20, 150))
        ops.write("%d\t%d\t\\N\t%d\t%s\t<p>%s</p>\tbench\n" % (t, t, rng.randint(1, users), body, body))
with open(work + "/replies.tsv", "w") as f:
    for pid in range(threads + 1, total + 1):
        t = rng.randint(1, threads)
        body = words(rng.randint(10, 120))
        f.write("%d\t%d\t%d\t%d\t%s\t<p>%s</p>\tbench\n" % (pid, t, t, rng.randint(1, users), body, body))
with open(work + "/ideas.tsv", "w") as f:
    for i in range(total // 50):
        title = " ".join(rng.choice(forms[:600]) for _ in range(rng.randint(3, 7))).capitalize()
        summary = words(rng.randint(15, 60))
        f.write("%s\t%s\t<p>%s</p>\tbench\t%d\n" % (title, summary, summary, rng.randint(1, users)))
with open(work + "/queries.txt", "w") as f:
    for _ in range(2000):
        f.write(" ".join(rng.choice(forms) for _ in range(rng.choice([1, 1, 2, 2, 3]))) + "\n")
PY

  t0=$(date +%s)
  psql -q -v ON_ERROR_STOP=1 "$url" <<SQL
\copy users (username, password_hash, community_role) FROM '$work/users.tsv'
\copy threads (category_id, title, slug, author_id, state) FROM '$work/threads.tsv'
\copy posts (id, thread_id, parent_id, author_id, body, body_html, render_version) FROM '$work/ops.tsv'
\copy posts (id, thread_id, parent_id, author_id, body, body_html, render_version) FROM '$work/replies.tsv'
\copy ideas (title, summary, summary_html, render_version, author_id) FROM '$work/ideas.tsv'
\o /dev/null
SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT max(id) FROM posts));
\o
VACUUM ANALYZE;
SQL
  echo "loaded in $(( $(date +%s) - t0 )) s"
}

if [[ -n "${CORRAL_BENCH_URL:-}" ]]; then
  url=$CORRAL_BENCH_URL
  work=${CORRAL_BENCH_DIR:?set CORRAL_BENCH_DIR to the folder of CORRAL_BENCH_URL}
  trap cleanup EXIT
else
  work=$(mktemp -d /tmp/corral-bench-search.XXXXXX)
  chmod 0755 "$work"
  trap cleanup EXIT
  url=$("$corral" cluster start --data-dir "$work/db" 2>/dev/null | tail -n 1)
  "$corral" migrate --database "$url" >/dev/null 2>&1
  load
fi
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before measuring"
echo "data: $(psql -Atc "SELECT count(*) || ' posts, ' || (SELECT count(*) FROM threads) || ' threads, ' || (SELECT count(*) FROM ideas) || ' ideas, ' || pg_size_pretty(pg_database_size(current_database())) FROM posts" "$url")"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$corral" serve --database "$url" --listen "127.0.0.1:$port" --quiet >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

/usr/bin/python3 - "http://127.0.0.1:$port" "$queries" "$work/queries.txt" "$url" <<'PY'
import random, statistics, subprocess, sys, time
import requests
base, n, qfile, dburl = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(7)
qs = [l.strip() for l in open(qfile) if l.strip()]
titles = subprocess.run(["psql", "-At", dburl, "-c", "SELECT title FROM threads ORDER BY random() LIMIT %d" % n],
                        capture_output=True, text=True, check=True).stdout.splitlines()
s = requests.Session()

def reword(title):
    ws = title.lower().split()
    rng.shuffle(ws)
    ws = [w[:-1] if w.endswith("s") and rng.random() < 0.5 else w + "s" if rng.random() < 0.3 else w for w in ws]
    if len(ws) > 3:
        ws.pop()
    return "How do we " + " ".join(ws)

def run(label, path, params_list):
    for p in params_list[:20]:   # warm-up: connections, caches
        s.get(base + path, params=p)
    times, hits = [], 0
    for p in params_list:
        t = time.perf_counter()
        r = s.get(base + path, params=p)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
        body = r.json()
        hits += len(body["results"] if isinstance(body, dict) else body)
    times.sort()
    pct = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]
    print("%-34s n=%d  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  mean hits %.1f"
          % (label, len(times), pct(0.5), pct(0.95), pct(0.99), times[-1], hits / len(times)))

run("search (all kinds)", "/api/v1/search", [{"q": rng.choice(qs)} for _ in range(n)])
run("search type=posts", "/api/v1/search", [{"q": rng.choice(qs), "type": "posts"} for _ in range(n)])
run("search type=threads", "/api/v1/search", [{"q": rng.choice(qs), "type": "threads"} for _ in range(n)])
run("similar threads (reworded title)", "/api/v1/threads/similar", [{"title": reword(t)} for t in titles[:n]])
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
