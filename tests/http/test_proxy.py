"""Issue 16: behind a reverse proxy (--trusted-proxy) the per-address limits count each
visitor's own address, never one a client made up; /metrics answers this machine or the
holder of --metrics-token, and no one else."""
import os
import subprocess
import time

import pytest
import requests

from conftest import CORRAL, PASSWORD, Server, cli, unique

# Documentation addresses (RFC 5737 / 3849): never a real peer of the test.
ALICE, BOB, MALLORY = "203.0.113.10", "203.0.113.11", "198.51.100.66"
TOKEN = "metrics-" + "0123456789abcdef" * 2


def register(server, headers=None):
    return requests.post(server.url("/api/v1/users"), headers=headers or {},
                         json={"username": unique(), "password": PASSWORD, "community_role": "vendor"})


def failed_sign_in(server, headers=None):
    # a fresh name each time: only the per-address limit can refuse it
    return requests.post(server.url("/api/v1/session"), headers=headers or {},
                         json={"username": unique(), "password": "wrong-wrong"}).status_code


def xff(addr):
    return {"X-Forwarded-For": addr}


def limit_keys(cluster, url):
    return {k for (k,) in cluster.sql("SELECT key FROM rate_limits", dbname=url.split("///")[1].split("?")[0])}


def start(cluster, args, name, **kw):
    url = cluster.create_db(unique(name))
    s = Server(["--database", url, "--register-limit-ip", "2", "--signin-limit-ip", "3"] + args,
               name=name, **kw)
    s.db_url = url
    return s


@pytest.fixture(scope="module")
def proxied(cluster):
    s = start(cluster, ["--trusted-proxy", "10.0.0.0/8, 127.0.0.1/32"], "proxied")
    yield s
    assert s.stop() == 0


@pytest.fixture(scope="module")
def direct(cluster):
    s = start(cluster, ["--quiet"], "direct")
    yield s
    assert s.stop() == 0


# --- the client address behind a trusted proxy ---

def test_forwarded_addresses_behind_a_trusted_proxy_have_registration_limits_of_their_own(proxied, cluster):
    assert register(proxied, xff(ALICE)).status_code == 201
    assert register(proxied, xff(ALICE)).status_code == 201
    assert register(proxied, xff(ALICE)).status_code == 429
    # before this fix every visitor was 127.0.0.1 and Bob was refused too
    assert register(proxied, xff(BOB)).status_code == 201
    # entries a client puts left of what the proxy appended change nothing
    assert register(proxied, xff(BOB + ", " + ALICE)).status_code == 429
    # hops of trusted proxies on the right are walked past
    assert register(proxied, xff(ALICE + ", 10.1.2.3")).status_code == 429
    keys = limit_keys(cluster, proxied.db_url)
    assert "register:ip:" + ALICE in keys and "register:ip:" + BOB in keys
    assert "register:ip:127.0.0.1" not in keys


def test_failed_sign_ins_behind_a_trusted_proxy_are_counted_per_forwarded_address(proxied):
    statuses = [failed_sign_in(proxied, xff(MALLORY)) for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Mallory's failures do not lock Bob out of signing in
    assert failed_sign_in(proxied, xff(BOB)) == 401


def test_the_request_log_names_the_forwarded_client(proxied):
    requests.get(proxied.url("/healthz"), headers=xff("203.0.113.77"))
    for _ in range(50):   # the line is written when the request completes, just after the reply
        if " 203.0.113.77 GET /healthz 200 " in proxied.output():
            return
        time.sleep(0.1)
    raise AssertionError(proxied.output()[-2000:])


def test_forwarding_headers_from_a_peer_not_trusted_are_ignored(direct, cluster):
    # a client cannot evade the limit by claiming to be someone new each time ...
    assert register(direct, xff("203.0.113.21")).status_code == 201
    assert register(direct, {"Forwarded": "for=203.0.113.22"}).status_code == 201
    assert register(direct, xff("203.0.113.23")).status_code == 429
    assert register(direct, {"Forwarded": "for=203.0.113.24", "X-Real-IP": "203.0.113.25"}).status_code == 429
    # ... nor poison another address's counter by claiming to be it
    keys = limit_keys(cluster, direct.db_url)
    assert "register:ip:127.0.0.1" in keys
    assert not [k for k in keys if "203.0.113." in k], keys


def test_a_trust_list_without_the_peer_ignores_its_headers(cluster):
    s = start(cluster, ["--quiet", "--trusted-proxy", "10.0.0.0/8,::1/128"], "distrust")
    try:
        assert register(s, xff(ALICE)).status_code == 201
        assert register(s, xff(BOB)).status_code == 201
        assert register(s, xff("203.0.113.99")).status_code == 429
        assert [k for k in limit_keys(cluster, s.db_url) if k.startswith("register:")] == ["register:ip:127.0.0.1"]
    finally:
        assert s.stop() == 0


def test_proxy_header_forwarded_reads_rfc_7239_and_ignores_x_forwarded_for(cluster):
    s = start(cluster, ["--quiet", "--trusted-proxy", "127.0.0.1", "--proxy-header", "forwarded"], "fwd")
    try:
        h = {"Forwarded": 'for=1.2.3.4, for="[2001:db8::5]:4711";proto=https', "X-Forwarded-For": BOB}
        assert register(s, h).status_code == 201
        assert register(s, xff(ALICE)).status_code == 201   # counted under 127.0.0.1
        keys = limit_keys(cluster, s.db_url)
        assert "register:ip:2001:db8::5" in keys and "register:ip:127.0.0.1" in keys
        assert "register:ip:" + BOB not in keys and "register:ip:" + ALICE not in keys
        assert "register:ip:1.2.3.4" not in keys
    finally:
        assert s.stop() == 0


def test_an_ipv6_proxy_forwards_ipv6_clients(cluster):
    try:
        s = start(cluster, ["--quiet", "--trusted-proxy", "::1/128"], "ipv6", host="[::1]")
    except AssertionError as e:
        if "cannot listen" in str(e):
            pytest.skip("no IPv6 loopback here")
        raise
    try:
        assert register(s, xff("2001:db8::9")).status_code == 201
        assert register(s, xff("[2001:db8::a]:5555")).status_code == 201
        assert "register:ip:2001:db8::9" in limit_keys(cluster, s.db_url)
        assert "register:ip:2001:db8::a" in limit_keys(cluster, s.db_url)
        assert requests.get(s.url("/metrics")).status_code == 200
        assert requests.get(s.url("/metrics"), headers=xff("2001:db8::9")).status_code == 404
    finally:
        assert s.stop() == 0


@pytest.mark.parametrize("value", ["10.0.0.1/8", "bogus", "::1/129", "127.0.0.1/32,", "10.0.0.0/8,localhost"])
def test_a_bad_trusted_proxy_stops_serve_with_status_2(value):
    out = cli("serve", "--trusted-proxy", value)
    assert out.returncode == 2, out.stderr
    assert "--trusted-proxy" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_a_bad_trusted_proxy_in_the_environment_stops_serve_with_status_2():
    out = subprocess.run([CORRAL, "serve"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, CORRAL_TRUSTED_PROXY="10.0.0.0/40"))
    assert out.returncode == 2 and "10.0.0.0/40" in out.stderr, out.stderr


# --- /metrics ---

def test_metrics_answer_a_loopback_peer_without_forwarding_headers(direct):
    assert requests.get(direct.url("/metrics")).status_code == 200


def test_metrics_refuse_a_loopback_peer_that_forwards_someone(direct):
    # an nginx on this machine not named in --trusted-proxy: its visitors are not local
    for h in (xff(ALICE), {"Forwarded": "for=" + ALICE}, {"X-Real-IP": ALICE}, xff("127.0.0.1")):
        r = requests.get(direct.url("/metrics"), headers=h)
        assert r.status_code == 404, h
        assert "corral_http_requests_total" not in r.text


def test_metrics_through_a_trusted_proxy_answer_only_a_loopback_client(proxied):
    assert requests.get(proxied.url("/metrics"), headers=xff(ALICE)).status_code == 404
    assert requests.get(proxied.url("/metrics"), headers=xff(ALICE + ", 10.0.0.3")).status_code == 404
    assert requests.get(proxied.url("/metrics"), headers=xff("127.0.0.1")).status_code == 200
    assert requests.get(proxied.url("/metrics")).status_code == 200


# A peer that is not on loopback is not tested over the wire: this suite's traffic stays on
# 127.0.0.0/8. The same decision is reached through a trusted proxy that forwards a client
# outside loopback (above), and the address tests are in tests/unit/test_clientaddr.c.


def test_metrics_token_from_a_file_works_through_a_trusted_proxy(cluster):
    path = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("token"))
    with open(path, "w") as f:
        f.write(TOKEN + "\n")
    s = Server(["--database", cluster.url, "--quiet", "--trusted-proxy", "127.0.0.1/32",
                "--metrics-token-file", path], name="tokenfile")
    try:
        assert requests.get(s.url("/metrics"), headers=xff(ALICE)).status_code == 404
        r = requests.get(s.url("/metrics"), headers=dict(xff(ALICE), Authorization="Bearer " + TOKEN))
        assert r.status_code == 200 and "corral_http_requests_total" in r.text
    finally:
        assert s.stop() == 0


def test_a_bad_metrics_token_stops_serve_with_status_2(tmp_path):
    short = cli("serve", "--metrics-token", "short")
    assert short.returncode == 2 and "metrics token" in short.stderr
    path = tmp_path / "t"
    path.write_text(TOKEN)
    both = cli("serve", "--metrics-token", TOKEN, "--metrics-token-file", str(path))
    assert both.returncode == 2 and "not both" in both.stderr
    missing = cli("serve", "--metrics-token-file", str(tmp_path / "absent"))
    assert missing.returncode == 2 and "--metrics-token-file" in missing.stderr
