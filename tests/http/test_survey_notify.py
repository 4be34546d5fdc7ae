"""Issue 18 (part): survey notifications. When a survey opens, every member who may answer
it is notified in the app once; mail follows each member's choice for 'survey' (default:
the digest). Mail is read from a real SMTP server, as in test_notify_mail.py."""
import datetime

import pytest

from conftest import cli, unique
from test_notify_mail import Env
from test_surveys import QUESTIONS


@pytest.fixture(scope="module")
def env(cluster):
    e = Env(cluster)
    yield e
    assert e.stop() == 0, e.server.output()


@pytest.fixture(scope="module")
def mod(env):
    m = env.user()
    out = cli("user", "set-role", m.user["username"], "moderator", "--database", env.url)
    assert out.returncode == 0, out.stderr
    return m


def create(mod, **extra):
    body = {"title": unique("Tooling survey "), "intro": "Tell us.", "questions": QUESTIONS}
    body.update(extra)
    r = mod.post("/api/v1/surveys", json=body)
    assert r.status_code == 201, r.text
    return r.json()["survey"]


def survey_notes(env, survey_id):
    return env.sql("SELECT user_id, message, mail_state FROM notifications WHERE kind = 'survey' AND survey = %s",
                   (survey_id,))


def test_an_open_survey_notifies_every_member_who_may_answer_once(env, mod):
    member, suspended = env.user(), env.user()
    env.sql("UPDATE users SET suspended_until = now() + interval '1 day' WHERE id = %s", (suspended.user["id"],))
    s = create(mod)
    notes = survey_notes(env, s["id"])
    who = {n[0] for n in notes}
    assert member.user["id"] in who
    assert suspended.user["id"] not in who and mod.user["id"] not in who
    assert len(who) == len(notes)  # one each
    assert all(n[1] == "New survey: " + s["title"] for n in notes)
    # in the app: what happened and where
    items = member.get("/api/v1/notifications").json()["notifications"]
    mine = [n for n in items if n["kind"] == "survey"]
    assert mine and mine[0]["url"] == "/surveys/%d" % s["id"] and mine[0]["what"] == "New survey: " + s["title"]
    assert ("/surveys/%d" % s["id"]) in member.get("/notifications").text
    # editing it again does not announce it twice
    r = mod.patch("/api/v1/surveys/%d" % s["id"], json={"intro": "Tell us more."})
    assert r.status_code == 200, r.text
    assert len(survey_notes(env, s["id"])) == len(notes)


def test_a_scheduled_survey_is_announced_when_it_opens(env, mod):
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).isoformat()
    s = create(mod, opens_at=later)
    assert survey_notes(env, s["id"]) == []
    now = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)).isoformat()
    r = mod.patch("/api/v1/surveys/%d" % s["id"], json={"opens_at": now})
    assert r.status_code == 200, r.text
    assert len(survey_notes(env, s["id"])) > 0
    # the maintenance thread's statement finds nothing more to do
    assert env.sql("SELECT surveys_announce()")[0][0] == 0


def test_survey_mail_follows_the_members_choice(env, mod):
    eager, default = env.user(), env.user()
    r = eager.put("/api/v1/me/mail-preferences", json={"survey": "immediately"})
    assert r.status_code == 200, r.text
    s = create(mod)
    msg = env.wait_mail(eager.addr)[0]
    assert msg["Subject"] == "New survey: " + s["title"]
    assert "/surveys/%d" % s["id"] in msg.get_body(("plain",)).get_content()
    env.marker()  # everything made before is decided now
    states = {n[0]: n[2] for n in survey_notes(env, s["id"])}
    assert states[eager.user["id"]] == "sent"
    assert states[default.user["id"]] == "digest"
    assert env.mails_to(default.addr) == []
