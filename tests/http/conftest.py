"""Black-box HTTP test harness: real `corral serve` processes on throwaway PostgreSQL
clusters made with `corral cluster` (the same code as the embedded default).

Everything runs on 127.0.0.1 with free ports; clusters live under CORRAL_TEST_TMP, a
folder the postgres user can reach (PostgreSQL refuses to run as root, so as root the
clusters run as postgres and /root would be out of its reach)."""
import glob
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

# Under ASan+UBSan (script/test's second lane) every allocation is several times slower,
# under ThreadSanitizer (--full) every memory access: time limits in tests are multiplied
# by this.
SLOW = 4 if os.environ.get("CORRAL_TEST_SANITIZED") else 1

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORRAL = os.environ.get("CORRAL_BIN", os.path.join(ROOT, "build", "server", "corral"))


_OWN_TMP = []

# Every server a test starts hashes passwords with OWASP's minimum argon2id memory (19 MiB)
# unless the test says otherwise: the suite registers and signs in hundreds of accounts, and
# at the default 64 MiB those hashes were most of its CPU time on two cores (3x per hash).
# The default itself is tested on a server started without it (test_accounts).
os.environ.setdefault("CORRAL_HASH_MEMORY", "19")


def _tmp_base():
    base = os.environ.get("CORRAL_TEST_TMP")
    if not base:
        base = tempfile.mkdtemp(prefix="corral-http-", dir="/tmp")
        os.environ["CORRAL_TEST_TMP"] = base
        _OWN_TMP.append(base)
    os.makedirs(base, exist_ok=True)
    os.chmod(base, 0o755)
    return base


# CORRAL_TEST_PORTS="20000-31999" keeps this run's servers in a range of their own, so two
# runs side by side (script/test runs the sanitizer lane beside the plain one) never hand each
# other the port they just found free; without it the kernel picks from the ephemeral range.
# A port found free may still be taken before the server binds it (a client connection's
# ephemeral port): Server then starts again on another.
_PORTS = os.environ.get("CORRAL_TEST_PORTS")


def free_port():
    for _ in range(200):
        with socket.socket() as s:
            try:
                if _PORTS:
                    lo, hi = (int(x) for x in _PORTS.split("-"))
                    s.bind(("127.0.0.1", random.randint(lo, hi)))
                else:
                    s.bind(("127.0.0.1", 0))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port in CORRAL_TEST_PORTS=%s" % _PORTS)


def pg_bindir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return dirs[-1]


def as_pg_user(cmd):
    """Run a PostgreSQL tool as the cluster's owner (postgres when we are root)."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class Cluster:
    def __init__(self, name):
        self.data_dir = os.path.join(_tmp_base(), name)
        self.pg_dir = os.path.join(self.data_dir, "pg")
        out = subprocess.run([CORRAL, "cluster", "start", "--data-dir", self.data_dir],
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        self.url = out.stdout.strip()

    def db_url(self, dbname):
        return self.url.replace("postgresql:///corral?", "postgresql:///%s?" % dbname)

    def create_db(self, dbname):
        import psycopg2
        conn = psycopg2.connect(self.db_url("postgres"))
        conn.autocommit = True
        conn.cursor().execute('CREATE DATABASE "%s"' % dbname)
        conn.close()
        return self.db_url(dbname)

    def pg_ctl(self, *args):
        return as_pg_user([os.path.join(pg_bindir(), "pg_ctl"), "-D", self.pg_dir] + list(args))

    def start(self):
        out = subprocess.run([CORRAL, "cluster", "start", "--data-dir", self.data_dir],
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr

    def stop(self, mode="fast"):
        self.pg_ctl("-m", mode, "-w", "stop")

    def sql(self, query, params=None, dbname="corral"):
        import psycopg2
        conn = psycopg2.connect(self.db_url(dbname))
        conn.autocommit = True
        try:
            cur = conn.cursor()
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None
        finally:
            conn.close()


class Server:
    """A running `corral serve`; stop() sends a signal and returns the exit status."""

    def __init__(self, args, env=None, name="server", unset=(), host="127.0.0.1"):
        full_env = dict(os.environ)
        full_env.update(env or {})
        for name_ in unset:  # e.g. CORRAL_HASH_MEMORY, to see the built-in default
            full_env.pop(name_, None)
        for attempt in range(3):
            self.port = free_port()
            self.base = "http://%s:%d" % (host, self.port)
            self.log_path = os.path.join(_tmp_base(), "%s-%d.log" % (name, self.port))
            self.log = open(self.log_path, "w")
            self.proc = subprocess.Popen(
                [CORRAL, "serve", "--listen", "%s:%d" % (host, self.port)] + args,
                stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
            try:
                self.wait_ready()
                return
            except AssertionError:
                if attempt == 2 or self.proc.poll() is None or "cannot listen on" not in self.output():
                    raise
                self.log.close()

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("corral exited with %s:\n%s" % (self.proc.returncode, self.output()))
            try:
                if requests.get(self.base + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError("corral did not become ready:\n" + self.output())

    def output(self):
        if not self.log.closed:   # after stop() too: a failed stop's message shows the log
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def url(self, path):
        return self.base + path


def _stop_leftovers(base):
    """Stop every cluster still running under base (a failed test may leave one)."""
    for pg in glob.glob(os.path.join(base, "*", "pg")):
        if os.path.exists(os.path.join(pg, "postmaster.pid")):
            as_pg_user([os.path.join(pg_bindir(), "pg_ctl"), "-D", pg, "-m", "immediate", "stop"])


@pytest.fixture(scope="session")
def cluster():
    c = Cluster("shared")
    yield c
    c.stop()
    base = os.environ["CORRAL_TEST_TMP"]
    _stop_leftovers(base)
    if base in _OWN_TMP:  # made here, not by script/test (which keeps its own on request)
        shutil.rmtree(base, ignore_errors=True)


# The shared server registers hundreds of accounts from 127.0.0.1: lift the per-address
# limits there; the limits themselves are tested on servers of their own.
SHARED_ARGS = ["--quiet", "--server-timing", "--register-limit-ip", "1000000", "--signin-limit-ip", "1000000",
               "--reset-limit-ip", "1000000",
               "--post-limit", "1000000", "--spam-burst", "1000000", "--flag-limit", "1000000"]
# The shared server's survey results show every role, however few answered, so tests can
# check the arithmetic with a handful of accounts; test_survey_privacy.py runs servers
# with the real threshold.
SHARED_SERVER_ARGS = SHARED_ARGS + ["--survey-min-group", "1"]
# The shared server mails no notification while the suite runs (test_notify_mail.py runs
# servers of its own).
SHARED_SERVER_ARGS += ["--notify-mail-delay", "86400"]
# What a server keeps of members for their thread pages (--reader-keep) is dropped by
# PostgreSQL's notices a moment after a commit; many tests change an account or a marker
# in SQL and read the page at once, behind the server's back. So the shared server keeps
# nothing; test_kept_viewers and test_shared_pages use `keeping_server`, which does.
KEEPING_SERVER_ARGS = list(SHARED_SERVER_ARGS)
SHARED_SERVER_ARGS += ["--reader-keep", "0"]


@pytest.fixture(scope="session")
def server(cluster):
    s = Server(["--database", cluster.url] + SHARED_SERVER_ARGS)
    yield s
    code = s.stop()
    assert code == 0, s.output()


@pytest.fixture(scope="module")
def keeping_server(cluster):
    """A server like the shared one that keeps members' sessions and page states."""
    s = Server(["--database", cluster.url] + KEEPING_SERVER_ARGS, name="keeping")
    yield s
    code = s.stop()
    assert code == 0, s.output()


@pytest.fixture(scope="module")
def reference(cluster):
    """The same forum without any cache: every page a full render, to compare a page served
    from kept copies with (test_shared_pages, test_kept_viewers)."""
    s = Server(["--database", cluster.url, "--cache-mb", "0"] + SHARED_SERVER_ARGS, name="reference")
    yield s
    s.stop()


# A page's nonce (the idempotency key of its forms) is new on every page.
NONCE = re.compile(r'name="idem" value="[^"]*"')


def unique(prefix="u"):
    return "%s%s" % (prefix, uuid.uuid4().hex[:10])


def assert_error(resp, status, code, field=None):
    """The SPEC §7 error shape: {"error": {"code", "message", "field"?}}."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    body = resp.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    if field is not None:
        assert body["error"].get("field") == field, body
    return body["error"]


PASSWORD = "correct horse battery staple"


class Client:
    """A browser-like API client: keeps the session cookie and sends the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.s = requests.Session()
        self.csrf = None
        self.user = None
        self.token = None

    def req(self, method, path, json=None, data=None, headers=None, csrf=True, **kw):
        h = dict(headers or {})
        if csrf and self.csrf and "X-CSRF-Token" not in h:
            h["X-CSRF-Token"] = self.csrf
        if self.token:
            h.setdefault("Authorization", "Bearer " + self.token)
        return self.s.request(method, self.server.url(path), json=json, data=data, headers=h,
                              allow_redirects=False, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.req("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.req("PATCH", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.req("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.req("DELETE", path, **kw)

    def register(self, username=None, password=PASSWORD, community_role="practitioner", **extra):
        username = username or unique()
        body = {"username": username, "password": password, "community_role": community_role}
        body.update(extra)
        r = self.s.post(self.server.url("/api/v1/users"), json=body)
        assert r.status_code == 201, r.text
        self.user = r.json()["user"]
        self.csrf = r.json()["csrf_token"]
        self.password = password
        return self

    def login(self, username, password=PASSWORD):
        r = self.s.post(self.server.url("/api/v1/session"), json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        self.user = r.json()["user"]
        self.csrf = r.json()["csrf_token"]
        return self


def cli(*args, stdin=None):
    return subprocess.run([CORRAL] + list(args), input=stdin, capture_output=True, text=True, timeout=60)


def make_user(server, cluster, role="member", community_role="practitioner", username=None, trusted=True):
    """A signed-in client whose account has the given permission role (set via the CLI);
    trusted accounts post without waiting in the pending queue."""
    c = Client(server).register(username=username, community_role=community_role)
    if role != "member":
        out = cli("user", "set-role", c.user["username"], role, "--database", cluster.url)
        assert out.returncode == 0, out.stderr
        c.user["role"] = role
    if trusted:
        cluster.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (c.user["id"],))
    return c


def new_thread(client, title=None, body="Opening post", category="general"):
    r = client.post("/api/v1/threads", json={"category": category, "title": title or unique("Thread "),
                                              "body": body})
    assert r.status_code == 201, r.text
    return r.json()["thread"]


def reply(client, thread_id, body="A reply", parent_id=None):
    payload = {"body": body}
    if parent_id is not None:
        payload["parent_id"] = parent_id
    r = client.post("/api/v1/threads/%d/posts" % thread_id, json=payload)
    assert r.status_code == 201, r.text
    return r.json()["post"]


@pytest.fixture
def member(server, cluster):
    return make_user(server, cluster)


@pytest.fixture
def newcomer(server):
    """A member whose first posts wait for a moderator."""
    return Client(server).register()


@pytest.fixture
def moderator(server, cluster):
    return make_user(server, cluster, "moderator", "consultant")


@pytest.fixture
def admin(server, cluster):
    return make_user(server, cluster, "admin", "trainer")


def statements(resp):
    """The prepared statements the server ran for this one response (--server-timing,
    which SHARED_ARGS turn on). Counted per request, so the server's background work
    never falls inside a measurement as it did with /metrics' process-wide counter."""
    return _server_timing(resp)[0]


def round_trips(resp):
    """How many times the server waited for PostgreSQL for this one response: its
    statements, less those sent together with others (db_prefetch)."""
    return _server_timing(resp)[1]


def _server_timing(resp):
    m = re.fullmatch(r'db;dur=[0-9.]+;desc="(\d+) statements, (\d+) round trips", total;dur=[0-9.]+',
                     resp.headers.get("Server-Timing", ""))
    assert m, "no Server-Timing header: %r" % resp.headers.get("Server-Timing")
    return int(m.group(1)), int(m.group(2))
