"""Issue 2: the HTTP core, pages and API from one model, static files, operations."""
import re
import socket

import requests

from conftest import Server, assert_error, statements


def raw(server, data, timeout=5):
    """Send raw bytes; return everything the server answers until it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except socket.timeout:
            pass
    return b"".join(chunks)


def test_home_page_is_html_with_security_headers(server):
    r = requests.get(server.url("/"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]
    assert "<h1>" in r.text and "General" in r.text


def test_api_and_page_render_the_same_model(server):
    cats = requests.get(server.url("/api/v1/categories")).json()["categories"]
    page = requests.get(server.url("/")).text
    assert cats  # at least the seeded "general": an empty list would make the loop prove nothing
    for c in cats:
        assert 'href="/c/%s"' % c["slug"] in page
        assert c["name"] in page


def test_community_roles_are_the_six_defaults(server):
    roles = requests.get(server.url("/api/v1/community-roles")).json()
    by_slug = {r["slug"]: r for r in roles}
    assert {"practitioner", "consultant", "vendor", "analyst", "trainer", "other"} <= set(by_slug)
    assert by_slug["practitioner"]["kind"] == "doer"
    assert all(by_slug[s]["kind"] == "helper" for s in ("consultant", "vendor", "analyst", "trainer", "other"))


def test_category_page_and_api(server):
    r = requests.get(server.url("/c/general"))
    assert r.status_code == 200 and "<h1>General</h1>" in r.text
    assert requests.get(server.url("/api/v1/categories/general")).json()["category"]["slug"] == "general"


def test_unknown_api_path_is_json_404(server):
    assert_error(requests.get(server.url("/api/v1/nothing-here")), 404, "not_found")
    assert_error(requests.get(server.url("/api/v1/categories/no-such")), 404, "not_found")


def test_unknown_page_is_html_404(server):
    r = requests.get(server.url("/c/no-such-category"))
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in r.text and "Error 404" in r.text


def test_wrong_method_is_405_with_allow(server):
    r = requests.delete(server.url("/api/v1/categories/general"))
    err = assert_error(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"]
    assert err["message"]


def test_head_is_served_by_get_routes(server):
    r = requests.head(server.url("/api/v1/categories"))
    assert r.status_code == 200 and r.text == ""


def test_trailing_slash_and_double_slash_do_not_match(server):
    assert requests.get(server.url("/c/general/")).status_code == 404
    assert requests.get(server.url("/c//general")).status_code == 404


def test_static_file_with_type_etag_and_cache(server):
    r = requests.get(server.url("/static/corral.css"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    etag = r.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', etag)
    assert "max-age" in r.headers["Cache-Control"]
    r2 = requests.get(server.url("/static/corral.css"), headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b""
    versioned = requests.get(server.url("/static/corral.css?v=abc"))
    assert "immutable" in versioned.headers["Cache-Control"]


def test_static_path_traversal_is_refused(server):
    for path in ("/static/../meson.build", "/static/%2e%2e/meson.build",
                 "/static/..%2fmeson.build", "/static/../../etc/passwd", "/static/"):
        resp = raw(server, ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        status = resp.split(b"\r\n", 1)[0]
        assert b" 404 " in status or b" 400 " in status, (path, status)
        assert b"[build-system]" not in resp and b"project(" not in resp and b"root:" not in resp


def test_healthz_readyz_metrics(server):
    assert requests.get(server.url("/healthz")).text == "ok\n"
    assert requests.get(server.url("/readyz")).status_code == 200
    requests.get(server.url("/api/v1/categories"))
    m = requests.get(server.url("/metrics")).text
    assert re.search(r'corral_http_requests_total\{method="GET",route="/api/v1/categories",status="200"\} \d+', m)
    assert 'corral_http_request_duration_ms_bucket{method="GET",route="/api/v1/categories",le="+Inf"}' in m
    assert "corral_db_queries_total" in m


def test_request_id_on_every_response(server):
    a = requests.get(server.url("/healthz")).headers["X-Request-Id"]
    b = requests.get(server.url("/healthz")).headers["X-Request-Id"]
    assert a and b and a != b


def test_two_content_lengths_are_refused_and_closed(server):
    resp = raw(server, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}")
    assert resp.startswith(b"HTTP/1.1 400"), resp[:200]
    assert b"connection: close" in resp.lower()


def test_content_length_with_transfer_encoding_is_refused(server):
    resp = raw(server, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    assert resp.startswith(b"HTTP/1.1 400"), resp[:200]


def test_body_over_one_mib_by_content_length_is_413(server):
    r = requests.post(server.url("/api/v1/session"), data=b"{" + b" " * (1 << 20) + b"}",
                      headers={"Content-Type": "application/json"})
    assert_error(r, 413, "too_large")


def test_chunked_body_over_one_mib_is_413(server):
    def gen():  # 1.5 MiB in 64 KiB chunks, no Content-Length
        for _ in range(24):
            yield b" " * 65536
    r = requests.post(server.url("/api/v1/session"), data=gen(),
                      headers={"Content-Type": "application/json"})
    assert_error(r, 413, "too_large")


def _status_with_cookie(server, nbytes):
    cookie = b"other_app=" + b"c" * nbytes
    resp = raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + b"\r\nConnection: close\r\n\r\n")
    return resp.split(b"\r\n", 1)[0]


def test_header_limit_is_max_header_kb(server, cluster):
    # the default, 8 KiB: a browser's 6 KiB of cookies from other apps of the domain pass
    assert _status_with_cookie(server, 6 * 1024) == b"HTTP/1.1 200 OK"
    assert _status_with_cookie(server, 10 * 1024) == b"HTTP/1.1 431 Request Header Fields Too Large"
    big = Server(["--database", cluster.url, "--quiet", "--max-header-kb", "32"], name="headers32")
    try:
        assert _status_with_cookie(big, 24 * 1024) == b"HTTP/1.1 200 OK"
        assert _status_with_cookie(big, 40 * 1024) == b"HTTP/1.1 431 Request Header Fields Too Large"
    finally:
        assert big.stop() == 0, big.output()


def test_server_timing_tells_one_requests_statements_only_when_asked(server, cluster):
    # the shared server runs with --server-timing (SHARED_ARGS): the count is this
    # request's, whatever the background workers do meanwhile
    gone = requests.get(server.url("/api/v1/threads/999999999"))   # asked, never kept
    assert gone.status_code == 404 and statements(gone) >= 1
    static = requests.get(server.url("/static/corral.css"))
    assert static.status_code == 200 and statements(static) == 0
    assert statements(requests.get(server.url("/api/v1/nothing-here"))) == 0
    plain = Server(["--database", cluster.url, "--quiet"], name="notiming")
    try:
        for path in ("/api/v1/categories", "/static/corral.css", "/"):
            resp = requests.get(plain.url(path))
            assert resp.status_code == 200 and "Server-Timing" not in resp.headers
    finally:
        assert plain.stop() == 0, plain.output()


def test_oversized_headers_and_url_are_refused(server):
    resp = raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    assert resp.split(b"\r\n", 1)[0] in (b"HTTP/1.1 431 Request Header Fields Too Large",
                                         b"HTTP/1.1 413 Request Entity Too Large"), resp[:100]
    resp = raw(server, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert resp.split(b"\r\n", 1)[0] == b"HTTP/1.1 414 URI Too Long", resp[:100]
