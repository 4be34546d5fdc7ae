"""Issue 17, outgoing mail: messages queued in PostgreSQL and sent by each instance's worker
through a real SMTP server (aiosmtpd, started here on a loopback port) — never a mock: the
tests read what that server received. Also the embedded default (.eml files, the log), retries
while the SMTP server is down, exactly-once with two instances, failed mail for admins."""
import email
import email.policy
import email.utils
import os
import re
import ssl
import stat
import subprocess
import threading
import time

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import SLOW, Client, Server, cli, free_port, unique

FROM = "Corral Forum <forum@example.org>"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; recipients starting with
    'bounce' are refused for good (550)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def wait(self, n, timeout=20):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError("%d of %d messages arrived" % (len(self.messages), n))

    def parsed(self, i):
        return email.message_from_bytes(self.messages[i][2], policy=email.policy.default)


def smtp_server(port=None):
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    ctl.start()
    return ctl, inbox


class Auth:
    """Accepts user 'corral' with password 's3cret', recording every attempt."""

    def __init__(self):
        self.tries = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.tries.append((login, password))
        return AuthResult(success=(login, password) == ("corral", "s3cret"), handled=False)


@pytest.fixture(scope="module")
def cert():
    """A self-signed certificate for localhost: the private CA an operator would pass."""
    d = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("tls"))
    os.makedirs(d)
    crt, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    os.chmod(d, 0o755)
    os.chmod(crt, 0o644)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(crt, key)
    return crt, ctx


def tls_smtp_server(ctx, implicit):
    """aiosmtpd with AUTH over TLS: STARTTLS required before anything, or TLS from the start."""
    inbox, auth = Inbox(), Auth()
    if implicit:
        ctl = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=ctx,
                         authenticator=auth, auth_require_tls=False)
    else:
        ctl = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=ctx,
                         require_starttls=True, authenticator=auth, auth_require_tls=True)
    ctl.start()
    return ctl, inbox, auth


def new_db(cluster):
    return cluster.create_db(unique("mail"))


def mail_server(url, smtp_port=None, extra=(), name="mail"):
    args = ["--database", url, "--quiet", "--mail-from", FROM, "--base-url", "http://forum.example.org"]
    if smtp_port:
        args += ["--smtp-url", "smtp://127.0.0.1:%d" % smtp_port, "--smtp-plain-loopback"]
    return Server(args + list(extra), name=name)


def enqueue(url, to, *extra):
    out = cli("mail", "test", to, "--database", url, "--mail-from", FROM,
              "--base-url", "http://forum.example.org", *extra)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[2])


def outbox(cluster, url, where="true"):
    return cluster.sql("SELECT id, state, attempts, last_error FROM mail_outbox WHERE %s ORDER BY id" % where,
                       dbname=url.split("///")[1].split("?")[0])


def wait_for(pred, timeout=20, what="condition"):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def test_a_message_arrives_multipart_with_text_html_message_id_date_and_from(cluster):
    url = new_db(cluster)
    ctl, inbox = smtp_server()
    s = mail_server(url, ctl.port)
    try:
        mid = enqueue(url, "zoe@example.net", "--to-name", "Zoë \"Z\" Ångström", "--subject", "Grüße from Corral")
        inbox.wait(1)
        mail_from, rcpts, raw = inbox.messages[0]
        assert mail_from == "forum@example.org" and rcpts == ["zoe@example.net"]
        assert b"\r\n" in raw and all(b < 128 for b in raw)  # 7-bit, whatever the text
        msg = inbox.parsed(0)
        assert msg.get_content_type() == "multipart/alternative"
        parts = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
        assert set(parts) == {"text/plain", "text/html"}
        assert "test message from Corral" in parts["text/plain"]
        assert "<strong>Corral</strong>" in parts["text/html"]
        assert str(msg["Subject"]) == "Grüße from Corral"
        assert msg["To"].addresses[0].display_name == "Zoë \"Z\" Ångström"
        assert msg["To"].addresses[0].addr_spec == "zoe@example.net"
        assert msg["From"].addresses[0].display_name == "Corral Forum"
        assert msg["From"].addresses[0].addr_spec == "forum@example.org"
        assert msg["Message-ID"].endswith("@forum.example.org>")
        assert abs(email.utils.parsedate_to_datetime(msg["Date"]).timestamp() - time.time()) < 300
        assert msg["Bcc"] is None and msg["Cc"] is None
        wait_for(lambda: outbox(cluster, url, "state = 'sent' AND id = %d" % mid), what="sent state")
        assert "mail %d sent to zoe@example.net" % mid in s.output()
        assert "http://forum.example.org" in parts["text/plain"]
        assert " link: " not in s.output()  # with SMTP, links stay out of the log
        assert cluster.sql("SELECT link FROM mail_outbox", dbname=url.split("///")[1].split("?")[0]) == [(None,)]
    finally:
        assert s.stop() == 0
        ctl.stop()


def test_header_injection_from_a_name_or_subject_is_refused(cluster):
    url = new_db(cluster)
    for extra in (["--subject", "Hi\r\nBcc: victim@example.org"], ["--subject", "Hi\nBcc: victim@example.org"],
                  ["--to-name", "Eve\r\nBcc: victim@example.org"], ["--to-name", "Eve\rX-Evil: 1"]):
        out = cli("mail", "test", "eve@example.net", "--database", url, *extra)
        assert out.returncode == 2 and "cannot be sent" in out.stderr, (extra, out.stderr)
    for to in ("eve@example.net\r\nBcc: victim@example.org", "eve@example.net>\r\nRCPT TO:<victim@example.org",
               "eve@example.net, victim@example.org"):
        out = cli("mail", "test", to, "--database", url)
        assert out.returncode == 2, (to, out.stderr)
    assert outbox(cluster, url) == []
    # Header-like text without a line break is only text: one recipient, the subject intact.
    ctl, inbox = smtp_server()
    s = mail_server(url, ctl.port)
    try:
        enqueue(url, "eve@example.net", "--subject", "Hi Bcc: victim@example.org", "--to-name", "Eve: Bcc")
        inbox.wait(1)
        time.sleep(0.5)
        assert len(inbox.messages) == 1 and inbox.messages[0][1] == ["eve@example.net"]
        msg = inbox.parsed(0)
        assert str(msg["Subject"]) == "Hi Bcc: victim@example.org" and msg["Bcc"] is None
        assert msg["To"].addresses[0].display_name == "Eve: Bcc"
    finally:
        assert s.stop() == 0
        ctl.stop()


def test_smtp_down_keeps_mail_queued_without_blocking_requests_then_delivers(cluster):
    url = new_db(cluster)
    port = free_port()  # nothing listens there yet
    s = mail_server(url, port, ["--mail-retry-base", "1", "--mail-retry-cap", "1", "--mail-retry-max", "1000"])
    ctl = None
    try:
        mid = enqueue(url, "patient@example.net")
        rows = wait_for(lambda: outbox(cluster, url, "attempts >= 2"), what="two failed attempts")
        assert rows[0][1] == "queued" and rows[0][3], rows
        t0 = time.time()
        assert requests.get(s.url("/readyz"), timeout=5).status_code == 200
        Client(s).register()  # a request that writes is not held up by the mail server
        assert time.time() - t0 < 5 * SLOW
        ctl, inbox = smtp_server(port)
        inbox.wait(1, timeout=30)
        wait_for(lambda: outbox(cluster, url, "state = 'sent' AND id = %d" % mid), what="sent")
        assert len(inbox.messages) == 1
    finally:
        assert s.stop() == 0
        if ctl:
            ctl.stop()


def test_two_instances_send_each_message_exactly_once(cluster):
    url = new_db(cluster)
    ctl, inbox = smtp_server()
    a = mail_server(url, ctl.port, name="mail-a")
    b = mail_server(url, ctl.port, name="mail-b")
    try:
        threads = [threading.Thread(target=enqueue, args=(url, "r%d@example.net" % i)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        inbox.wait(20, timeout=60)
        time.sleep(2)  # a second copy would arrive now
        rcpts = sorted(r for _, rs, _ in inbox.messages for r in rs)
        assert rcpts == sorted("r%d@example.net" % i for i in range(20))
        ids = {inbox.parsed(i)["Message-ID"] for i in range(20)}
        assert len(ids) == 20
        wait_for(lambda: len(outbox(cluster, url, "state = 'sent'")) == 20, what="all sent")
        assert all(row[2] == 1 for row in outbox(cluster, url))  # each claimed once
    finally:
        assert a.stop() == 0 and b.stop() == 0
        ctl.stop()


def admin_client(server, url):
    c = Client(server).register()
    out = cli("user", "set-role", c.user["username"], "admin", "--database", url)
    assert out.returncode == 0, out.stderr
    return c


def test_undeliverable_mail_is_marked_failed_and_shown_to_admins(cluster):
    url = new_db(cluster)
    ctl, inbox = smtp_server()
    dead = free_port()
    s = mail_server(url, dead, ["--mail-retry-base", "1", "--mail-retry-cap", "1", "--mail-retry-max", "2"])
    try:
        mid = enqueue(url, "lost@example.net", "--subject", "Never arrives")
        wait_for(lambda: outbox(cluster, url, "state = 'failed'"), what="failed state")
        row = outbox(cluster, url)[0]
        assert row[:3] == (mid, "failed", 2) and row[3]
        admin = admin_client(s, url)
        r = admin.get("/api/v1/admin/mail?state=failed")
        assert r.status_code == 200, r.text
        (item,) = r.json()["mail"]
        assert item["id"] == mid and item["to"] == "lost@example.net" and item["subject"] == "Never arrives"
        assert item["attempts"] == 2 and item["state"] == "failed" and item["last_error"]
        assert "message" not in item and "link" not in item  # never a body
        assert admin.get("/api/v1/admin/mail?state=queued").json()["mail"] == []
        assert admin.get("/api/v1/admin/mail?state=sent").status_code == 400
        page = admin.get("/admin")
        assert page.status_code == 200 and "lost@example.net" in page.text and "Never arrives" in page.text
        assert Client(s).register().get("/api/v1/admin/mail").status_code == 403
        assert requests.get(s.url("/api/v1/admin/mail")).status_code == 401
        assert "giving up" in s.output()
    finally:
        assert s.stop() == 0
    # A recipient the SMTP server refuses for good (550) fails at once, without retries.
    s = mail_server(url, ctl.port, ["--mail-retry-max", "5"])
    try:
        mid = enqueue(url, "bounce@example.net")
        wait_for(lambda: outbox(cluster, url, "state = 'failed' AND id = %d" % mid), what="refused")
        row = outbox(cluster, url, "id = %d" % mid)[0]
        assert row[2] == 1 and "550" in row[3], row
        assert inbox.messages == []
    finally:
        assert s.stop() == 0
        ctl.stop()


def test_smtp_without_starttls_is_refused_unless_plain_loopback_is_allowed(cluster):
    url = new_db(cluster)
    ctl, inbox = smtp_server()  # aiosmtpd here offers no STARTTLS
    s = Server(["--database", url, "--quiet", "--smtp-url", "smtp://127.0.0.1:%d" % ctl.port,
                "--mail-retry-base", "1", "--mail-retry-max", "1000"], name="mail-tls")
    try:
        enqueue(url, "secret@example.net")
        rows = wait_for(lambda: outbox(cluster, url, "attempts >= 1 AND last_error IS NOT NULL"),
                        what="a failed attempt")
        assert rows[0][1] == "queued" and "SSL" in rows[0][3], rows
        assert inbox.messages == []  # nothing went out in the clear
    finally:
        assert s.stop() == 0
        ctl.stop()


def test_without_smtp_the_embedded_default_writes_eml_files_in_the_data_dir(cluster):  # noqa: ARG001 (sets CORRAL_TEST_TMP)
    data_dir = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("maildir"))
    s = Server(["--data-dir", data_dir, "--quiet"], name="maildir")
    try:
        assert "outgoing mail goes to %s/outbox" % data_dir in s.output()
        out = cli("mail", "test", "laptop@example.net", "--data-dir", data_dir, "--subject", "Ünïcode too",
                  "--base-url", "http://laptop.example:8080")
        assert out.returncode == 0, out.stderr
        mid = int(out.stdout.split()[2])
        path = os.path.join(data_dir, "outbox", "%d.eml" % mid)
        wait_for(lambda: os.path.exists(path), what=path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        assert str(msg["Subject"]) == "Ünïcode too" and msg.get_content_type() == "multipart/alternative"
        assert msg["To"].addresses[0].addr_spec == "laptop@example.net"
        assert "written to %s" % path in s.output()
        assert "mail %d link: http://laptop.example:8080" % mid in s.output()  # an operator can follow it
        assert msg["Message-ID"].endswith("@laptop.example>")
    finally:
        assert s.stop() == 0


def db_queries(server):
    m = re.search(r"^corral_db_queries_total (\d+)", requests.get(server.url("/metrics")).text, re.M)
    return int(m.group(1))


def test_without_smtp_or_data_dir_the_message_is_logged_and_an_idle_worker_only_polls(cluster):
    url = new_db(cluster)
    s = Server(["--database", url, "--quiet"], name="maillog")
    try:
        assert "outgoing mail goes to the log" in s.output()
        # the background workers (mail, notification mail, digest, reminders, maintenance)
        # each take a first look at start; the idle rate is measured after those
        time.sleep(2)
        before = db_queries(s)
        time.sleep(3)
        assert db_queries(s) - before <= 6  # a look every 5 s at most, not a busy loop
        mid = enqueue(url, "ops@example.net", "--subject", "Logged only")
        wait_for(lambda: "mail %d to ops@example.net, subject \"Logged only\"" % mid in s.output(), what="log line")
        assert "mail %d link: http://forum.example.org" % mid in s.output()  # an operator can follow it
        wait_for(lambda: outbox(cluster, url, "state = 'sent'"), what="sent")
    finally:
        assert s.stop() == 0


def tls_server(url, smtp_url, extra=(), env=None, name="mail-tls"):
    return Server(["--database", url, "--quiet", "--mail-from", FROM, "--smtp-url", smtp_url,
                   "--mail-retry-base", "1", "--mail-retry-cap", "1", "--mail-retry-max", "1000"] + list(extra),
                  env=env, name=name)


def test_starttls_and_auth_deliver_and_a_wrong_password_or_certificate_delivers_nothing(cluster, cert):
    crt, ctx = cert
    ctl, inbox, auth = tls_smtp_server(ctx, implicit=False)
    smtp_url = "smtp://localhost:%d" % ctl.port
    try:
        url = new_db(cluster)
        s = tls_server(url, smtp_url, ["--smtp-ca-file", crt, "--smtp-user", "corral"],
                       env={"CORRAL_SMTP_PASSWORD": "s3cret"})
        try:
            enqueue(url, "tls@example.net")
            inbox.wait(1)
            assert auth.tries == [("corral", "s3cret")]
            assert inbox.parsed(0)["To"].addresses[0].addr_spec == "tls@example.net"
        finally:
            assert s.stop() == 0
        for extra, env, expect in (
                (["--smtp-ca-file", crt, "--smtp-user", "corral"], {"CORRAL_SMTP_PASSWORD": "wrong"}, "535"),
                (["--smtp-user", "corral"], {"CORRAL_SMTP_PASSWORD": "s3cret"}, "certificate")):
            url = new_db(cluster)
            s = tls_server(url, smtp_url, extra, env=env)
            try:
                enqueue(url, "nobody@example.net")
                rows = wait_for(lambda: outbox(cluster, url, "last_error IS NOT NULL"), what="a failed attempt")
                # a refused sign-in or an unknown certificate is retried (the operator fixes it)
                assert rows[0][1] == "queued" and expect in rows[0][3], rows
            finally:
                assert s.stop() == 0
        assert len(inbox.messages) == 1
    finally:
        ctl.stop()


def test_smtps_with_a_password_file_delivers(cluster, cert):
    crt, ctx = cert
    ctl, inbox, auth = tls_smtp_server(ctx, implicit=True)
    pw = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("pw"))
    with open(pw, "w") as f:
        f.write("s3cret\n")
    url = new_db(cluster)
    s = tls_server(url, "smtps://localhost:%d" % ctl.port,
                   ["--smtp-ca-file", crt, "--smtp-user", "corral", "--smtp-password-file", pw])
    try:
        enqueue(url, "smtps@example.net")
        inbox.wait(1)
        assert auth.tries == [("corral", "s3cret")]
    finally:
        assert s.stop() == 0
        ctl.stop()


def test_a_bad_mail_option_stops_serve_with_status_2():
    out = cli("serve", "--smtp-url", "http://mail.example.org")
    assert out.returncode == 2 and "--smtp-url must be smtp://" in out.stderr, out.stderr
    out = cli("serve", "--mail-from", "Forum <not an address>")
    assert out.returncode == 2 and "--mail-from must be" in out.stderr, out.stderr
    out = cli("serve", "--smtp-url", "smtps://mail.example.org", "--smtp-password-file", "/nonexistent/pw")
    assert out.returncode == 2 and "--smtp-password-file" in out.stderr, out.stderr
