"""Issue 10: surveys — creating and editing, answering and revising, every refused answer
leaving nothing stored, results by community role and kind with exact numbers, the CSV."""
import csv
import io
import re

import psycopg2
import pytest
import requests

from conftest import Client, assert_error, make_user, new_thread, unique

QUESTIONS = [
    {"kind": "single", "prompt": "Is there such a thing as this community?", "required": True,
     "options": ["Yes", "No", "Not sure"]},
    {"kind": "multi", "prompt": "How would you talk with it?", "options": ["Forum", "Chat", "Meetups"]},
    {"kind": "scale", "prompt": "Do you feel part of it?", "required": True},
    {"kind": "text", "prompt": "What would you give and receive?"},
]


@pytest.fixture(scope="module")
def mod(server, cluster):
    """A moderator shared by the table-driven tests (accounts are slow to make: argon2id)."""
    return make_user(server, cluster, "moderator", "consultant")


@pytest.fixture(scope="module")
def answerer(server, cluster):
    return make_user(server, cluster)


def make_survey(mod, questions=None, **extra):
    body = {"title": "Survey " + unique(), "intro": "We *ask* because we want to know.",
            "questions": questions if questions is not None else QUESTIONS}
    body.update(extra)
    r = mod.post("/api/v1/surveys", json=body)
    assert r.status_code == 201, r.text
    return r.json()["survey"]


def ids(survey):
    """(question ids, {question index: [option ids]})."""
    qs = survey["questions"]
    return [q["id"] for q in qs], {i: [o["id"] for o in q["options"]] for i, q in enumerate(qs)}


def answer(client, survey, single=None, multi=None, scale=None, text=None):
    """Answer QUESTIONS by option index / value / text; returns the response."""
    q, o = ids(survey)
    answers = []
    if single is not None:
        answers.append({"question_id": q[0], "option_ids": [o[0][single]]})
    if multi is not None:
        answers.append({"question_id": q[1], "option_ids": [o[1][i] for i in multi]})
    if scale is not None:
        answers.append({"question_id": q[2], "value": scale})
    if text is not None:
        answers.append({"question_id": q[3], "text": text})
    return client.put("/api/v1/surveys/%d/response" % survey["id"], json={"answers": answers})


def stored(cluster, survey_id):
    """(responses, answers) stored for a survey."""
    return (cluster.sql("SELECT count(*) FROM survey_responses WHERE survey_id = %s", (survey_id,))[0][0],
            cluster.sql("SELECT count(*) FROM survey_answers WHERE survey_id = %s", (survey_id,))[0][0])


def close(mod, survey):
    r = mod.post("/api/v1/surveys/%d/close" % survey["id"])
    assert r.status_code == 200, r.text
    return r.json()["survey"]


# --- creating ---

def test_moderator_creates_a_survey_with_ordered_questions(server, cluster, moderator):
    t = new_thread(moderator)
    r = moderator.post("/api/v1/surveys", json={"title": "Community check", "intro": "Why we *ask*",
                                                "thread_id": t["id"], "questions": QUESTIONS,
                                                "closes_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    s = r.json()["survey"]
    assert r.headers["Location"] == "/surveys/%d" % s["id"]
    assert s["title"] == "Community check" and s["status"] == "open" and s["public"] is False
    assert "<em>ask</em>" in s["intro_html"] and s["closes_at"] == "2099-01-01T00:00:00Z"
    assert s["thread"]["id"] == t["id"] and s["thread_id"] == t["id"]
    assert [q["kind"] for q in s["questions"]] == ["single", "multi", "scale", "text"]
    assert [q["position"] for q in s["questions"]] == [1, 2, 3, 4]
    assert [q["required"] for q in s["questions"]] == [True, False, True, False]
    assert [o["label"] for o in s["questions"][0]["options"]] == ["Yes", "No", "Not sure"]
    assert s["questions"][2]["options"] == [] and s["questions"][3]["options"] == []
    got = requests.get(server.url("/api/v1/surveys/%d" % s["id"])).json()
    assert got["survey"]["questions"] == s["questions"] and got["my_response"] is None
    assert got["can_answer"] is False and got["results_visible"] is False
    assert cluster.sql("SELECT action FROM mod_log WHERE target_type = 'survey' AND target_id = %s",
                       (str(s["id"]),)) == [("create_survey",)]


def test_only_moderators_create_surveys(server, member):
    body = {"title": "Nope", "questions": QUESTIONS}
    assert_error(member.post("/api/v1/surveys", json=body), 403, "forbidden")
    assert_error(requests.post(server.url("/api/v1/surveys"), json=body), 401, "unauthenticated")


def _q(**kw):
    q = {"kind": "single", "prompt": "Fine?", "options": ["a", "b"]}
    q.update(kw)
    return q


@pytest.mark.parametrize("body,field", [
    ({"title": "ab"}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": None}, "title"),
    ({"questions": None}, "questions"),
    ({"questions": []}, "questions"),
    ({"questions": "one"}, "questions"),
    ({"questions": [_q()] * 51}, "questions"),
    ({"questions": [_q(), "text"]}, "questions[1]"),
    ({"questions": [_q(kind="essay")]}, "questions[0].kind"),
    ({"questions": [_q(kind=None)]}, "questions[0].kind"),
    ({"questions": [_q(prompt="")]}, "questions[0].prompt"),
    ({"questions": [_q(prompt="   ")]}, "questions[0].prompt"),
    ({"questions": [_q(prompt="p" * 501)]}, "questions[0].prompt"),
    ({"questions": [_q(prompt=7)]}, "questions[0].prompt"),
    ({"questions": [_q(required="yes")]}, "questions[0].required"),
    ({"questions": [_q(options=["only"])]}, "questions[0].options"),
    ({"questions": [_q(kind="multi", options=[])]}, "questions[0].options"),
    ({"questions": [_q(options=[str(i) for i in range(21)])]}, "questions[0].options"),
    ({"questions": [_q(options="a,b")]}, "questions[0].options"),
    ({"questions": [_q(options=["a", "a"])]}, "questions[0].options[1]"),
    ({"questions": [_q(options=["a", ""])]}, "questions[0].options[1]"),
    ({"questions": [_q(options=["a", "o" * 201])]}, "questions[0].options[1]"),
    ({"questions": [_q(options=["a", 3])]}, "questions[0].options[1]"),
    ({"questions": [_q(kind="text", options=["a", "b"])]}, "questions[0].options"),
    ({"questions": [_q(kind="scale", options=["a", "b"])]}, "questions[0].options"),
    ({"thread_id": 999999999}, "thread_id"),
    ({"thread_id": "seven"}, "thread_id"),
    ({"opens_at": "tomorrow"}, "opens_at"),
    ({"opens_at": "infinity"}, "opens_at"),
    ({"opens_at": "2026-02-30T10:00:00Z"}, "opens_at"),
    ({"closes_at": "2026-13-01T10:00:00Z"}, "closes_at"),
    ({"opens_at": "2090-01-02T00:00:00Z", "closes_at": "2090-01-01T00:00:00Z"}, "closes_at"),
    ({"public": "yes"}, "public"),
    ({"intro": 5}, "intro"),
])
def test_creating_refuses_bad_input_and_stores_nothing(server, cluster, mod, body, field):
    full = {"title": "A fine survey", "intro": "", "questions": [_q()]}
    full.update(body)
    full = {k: v for k, v in full.items() if v is not None}
    before = cluster.sql("SELECT count(*) FROM surveys")[0][0]
    assert_error(mod.post("/api/v1/surveys", json=full), 400, "invalid_input", field)
    assert cluster.sql("SELECT count(*) FROM surveys")[0][0] == before


def test_bounds_are_inclusive(server, moderator):
    s = make_survey(moderator, title="abc", questions=[
        _q(prompt="p" * 500, options=["o" * 200] + [str(i) for i in range(19)])] + [_q()] * 49)
    assert len(s["questions"]) == 50 and len(s["questions"][0]["options"]) == 20
    assert s["questions"][0]["prompt"] == "p" * 500


def test_options_may_be_objects_with_labels(server, moderator):
    s = make_survey(moderator, questions=[_q(options=[{"label": " Yes "}, {"label": "No"}])])
    assert [o["label"] for o in s["questions"][0]["options"]] == ["Yes", "No"]


def test_status_follows_the_times(server, moderator):
    assert make_survey(moderator, opens_at="2090-01-01T00:00:00Z")["status"] == "scheduled"
    assert make_survey(moderator, opens_at="2020-01-01T00:00:00Z",
                       closes_at="2021-01-01T00:00:00+01:00")["status"] == "closed"
    s = make_survey(moderator, opens_at="2020-01-01T10:00", closes_at="2099-12-31T23:59:59.5Z")
    assert s["status"] == "open" and s["opens_at"] == "2020-01-01T10:00:00Z"


def test_template_is_the_five_questions_ready_to_post(server, moderator):
    t = requests.get(server.url("/api/v1/surveys/template"))
    assert t.status_code == 200
    body = t.json()
    assert [q["prompt"].split(" (")[0] for q in body["questions"]] == [
        "Do you think there is such a thing as this community?", "Do you feel part of it?",
        "Would you like to be part of it?", "What would you expect to give to and receive from it?",
        "How would you expect to communicate with it?"]
    assert [q["kind"] for q in body["questions"]] == ["single", "scale", "single", "text", "multi"]
    r = moderator.post("/api/v1/surveys", json=body)
    assert r.status_code == 201 and len(r.json()["survey"]["questions"]) == 5


def test_list_shows_surveys_newest_first_and_filters_by_thread(server, moderator, member):
    t = new_thread(moderator)
    a = make_survey(moderator, thread_id=t["id"])
    b = make_survey(moderator, thread_id=t["id"], opens_at="2090-01-01T00:00:00Z")
    assert answer(member, a, single=0, scale=3).status_code == 200
    listed = member.get("/api/v1/surveys", params={"thread_id": t["id"]}).json()["surveys"]
    assert [s["id"] for s in listed] == [b["id"], a["id"]]
    assert [s["answered"] for s in listed] == [False, True]
    assert [s["respondents"] for s in listed] == [0, 1] and listed[1]["question_count"] == 4
    assert listed[0]["status"] == "scheduled" and "intro_html" not in listed[0]
    assert a["id"] in [s["id"] for s in requests.get(server.url("/api/v1/surveys")).json()["surveys"]]
    assert_error(requests.get(server.url("/api/v1/surveys?thread_id=x")), 400, "invalid_input", "thread_id")
    assert_error(requests.get(server.url("/api/v1/surveys/999999999")), 404, "not_found")


# --- answering and revising ---

def test_member_answers_and_gets_the_response_back(server, cluster, moderator, member):
    s = make_survey(moderator)
    r = answer(member, s, single=0, multi=[0, 2], scale=4, text="  Time and stories  ")
    assert r.status_code == 200, r.text
    resp = r.json()["response"]
    q, o = ids(s)
    assert resp["revision"] == 1 and resp["community_role"] == {"slug": "practitioner", "label": "Practitioner",
                                                                 "kind": "doer"}
    assert resp["answers"] == [{"question_id": q[0], "option_ids": [o[0][0]]},
                               {"question_id": q[1], "option_ids": [o[1][0], o[1][2]]},
                               {"question_id": q[2], "value": 4},
                               {"question_id": q[3], "text": "Time and stories"}]
    assert stored(cluster, s["id"]) == (1, 5)
    mine = member.get("/api/v1/surveys/%d" % s["id"]).json()
    assert mine["my_response"]["answers"] == resp["answers"] and mine["can_answer"] is True


def test_revising_replaces_the_answers_in_place(server, cluster, moderator, member):
    s = make_survey(moderator)
    first = answer(member, s, single=0, multi=[0, 1, 2], scale=2, text="first").json()["response"]
    second = answer(member, s, single=1, scale=5)
    assert second.status_code == 200
    again = second.json()["response"]
    q, o = ids(s)
    assert again["id"] == first["id"] and again["revision"] == 2
    assert again["created_at"] == first["created_at"] and again["submitted_at"] >= first["submitted_at"]
    assert again["answers"] == [{"question_id": q[0], "option_ids": [o[0][1]]}, {"question_id": q[2], "value": 5}]
    assert stored(cluster, s["id"]) == (1, 2)


def test_role_snapshot_is_kept_when_the_role_changes_later(server, cluster, moderator):
    person = make_user(server, cluster, community_role="practitioner")
    s = make_survey(moderator)
    assert answer(person, s, single=0, scale=3).status_code == 200
    r = person.patch("/api/v1/users/%s" % person.user["username"], json={"community_role": "vendor"})
    assert r.status_code == 200, r.text
    res = moderator.get("/api/v1/surveys/%d/results" % s["id"]).json()
    assert _role(res["respondents"]["by_role"], "practitioner")["count"] == 1
    assert _role(res["respondents"]["by_role"], "vendor")["count"] == 0
    assert res["respondents"]["by_kind"] == {"doer": 1, "helper": 0}
    # Answering again is a new answer: it carries the role the member has now.
    assert answer(person, s, single=1, scale=3).json()["response"]["community_role"]["slug"] == "vendor"
    res = moderator.get("/api/v1/surveys/%d/results" % s["id"]).json()
    assert res["respondents"]["by_kind"] == {"doer": 0, "helper": 1}


def _refused(client, cluster, survey, answers, status, code, field):
    before = stored(cluster, survey["id"])
    r = client.put("/api/v1/surveys/%d/response" % survey["id"], json={"answers": answers})
    assert_error(r, status, code, field)
    assert stored(cluster, survey["id"]) == before
    return r


@pytest.mark.parametrize("build,field", [
    (lambda q, o: [{"question_id": 999999999, "value": 3}], "answers[0].question_id"),
    (lambda q, o: [{"question_id": "1", "value": 3}], "answers[0].question_id"),
    (lambda q, o: [{"value": 3}], "answers[0].question_id"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [999999999]}, {"question_id": q[2], "value": 3}],
     "answers[0].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[1][0]]}, {"question_id": q[2], "value": 3}],
     "answers[0].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": o[0][:2]}, {"question_id": q[2], "value": 3}],
     "answers[0].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": o[0][0]}, {"question_id": q[2], "value": 3}],
     "answers[0].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": ["x"]}, {"question_id": q[2], "value": 3}],
     "answers[0].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[1], "option_ids": [o[1][0], o[1][0]]},
                   {"question_id": q[2], "value": 3}], "answers[1].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 0}], "answers[1].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 6}], "answers[1].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3.5}], "answers[1].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": "3"}], "answers[1].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": True}], "answers[1].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3},
                   {"question_id": q[3], "text": "x" * 5001}], "answers[2].text"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3},
                   {"question_id": q[3], "text": ["words"]}], "answers[2].text"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3},
                   {"question_id": q[3], "value": 3}], "answers[2].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]], "text": "also"}, {"question_id": q[2], "value": 3}],
     "answers[0].text"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}], "answers"),
    (lambda q, o: [{"question_id": q[0], "option_ids": []}, {"question_id": q[2], "value": 3}], "answers[0].option_ids"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": None}], "answers[1].value"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3},
                   {"question_id": q[0], "option_ids": [o[0][1]]}], "answers[2].question_id"),
    (lambda q, o: [{"question_id": q[0], "option_ids": [o[0][0]]}, "value 3"], "answers[1]"),
    (lambda q, o: {"question_id": q[0]}, "answers"),
    (lambda q, o: None, "answers"),
    (lambda q, o: [], "answers"),
])
def test_invalid_answers_are_refused_and_nothing_is_stored(server, cluster, mod, answerer, build, field):
    s = make_survey(mod)
    q, o = ids(s)
    _refused(answerer, cluster, s, build(q, o), 400, "invalid_input", field)


def test_empty_required_text_and_an_answer_to_nothing(server, cluster, moderator, member):
    s = make_survey(moderator, questions=[{"kind": "text", "prompt": "Say something", "required": True},
                                          {"kind": "text", "prompt": "Optional"}])
    q = [x["id"] for x in s["questions"]]
    _refused(member, cluster, s, [{"question_id": q[0], "text": "   "}], 400, "invalid_input", "answers[0].text")
    _refused(member, cluster, s, [{"question_id": q[1], "text": "hi"}], 400, "invalid_input", "answers")
    s2 = make_survey(moderator, questions=[{"kind": "text", "prompt": "Optional"}])
    _refused(member, cluster, s2, [{"question_id": s2["questions"][0]["id"], "text": ""}], 400, "invalid_input",
             "answers")


def test_a_text_of_exactly_5000_characters_is_accepted(server, moderator, member):
    s = make_survey(moderator)
    r = answer(member, s, single=0, scale=1, text="é" * 5000)
    assert r.status_code == 200 and r.json()["response"]["answers"][-1]["text"] == "é" * 5000


def test_a_refused_revision_keeps_the_previous_answers(server, cluster, moderator, member):
    s = make_survey(moderator)
    before = answer(member, s, single=2, scale=2, text="keep me").json()["response"]
    q, o = ids(s)
    _refused(member, cluster, s, [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 9}],
             400, "invalid_input", "answers[1].value")
    assert member.get("/api/v1/surveys/%d" % s["id"]).json()["my_response"] == before


def test_closed_and_not_yet_open_surveys_refuse_answers_with_409(server, cluster, moderator, member):
    later = make_survey(moderator, opens_at="2090-01-01T00:00:00Z")
    q, o = ids(later)
    _refused(member, cluster, later, [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3}],
             409, "conflict", None)
    s = make_survey(moderator)
    assert answer(member, s, single=0, scale=3).status_code == 200
    close(moderator, s)
    q, o = ids(s)
    _refused(member, cluster, s, [{"question_id": q[0], "option_ids": [o[0][1]]}, {"question_id": q[2], "value": 1}],
             409, "conflict", None)
    assert member.get("/api/v1/surveys/%d" % s["id"]).json()["my_response"]["answers"][1]["value"] == 3


def test_answering_needs_an_active_signed_in_member(server, cluster, moderator, member):
    s = make_survey(moderator)
    q, o = ids(s)
    body = {"answers": [{"question_id": q[0], "option_ids": [o[0][0]]}, {"question_id": q[2], "value": 3}]}
    assert_error(requests.put(server.url("/api/v1/surveys/%d/response" % s["id"]), json=body), 401, "unauthenticated")
    assert_error(member.put("/api/v1/surveys/%d/response" % s["id"], json=body, csrf=False), 403, "csrf")
    r = moderator.post("/api/v1/users/%s/suspension" % member.user["username"],
                       json={"until": "2099-01-01T00:00:00Z", "reason": "test"})
    assert r.status_code == 200
    assert_error(member.put("/api/v1/surveys/%d/response" % s["id"], json=body), 403, "forbidden")
    assert_error(make_user(server, cluster).put("/api/v1/surveys/999999999/response", json=body), 404, "not_found")
    assert stored(cluster, s["id"]) == (0, 0)


# --- editing and closing ---

def test_patch_changes_fields_and_replaces_questions_while_unanswered(server, cluster, moderator):
    s = make_survey(moderator, closes_at="2099-01-01T00:00:00Z")
    t = new_thread(moderator)
    r = moderator.patch("/api/v1/surveys/%d" % s["id"], json={
        "title": "Renamed", "intro": "New **intro**", "public": True, "thread_id": t["id"],
        "questions": [{"kind": "text", "prompt": "Only this now", "required": True}]})
    assert r.status_code == 200, r.text
    got = r.json()["survey"]
    assert got["title"] == "Renamed" and "<strong>intro</strong>" in got["intro_html"] and got["public"] is True
    assert got["thread_id"] == t["id"] and got["closes_at"] == "2099-01-01T00:00:00Z"
    assert [q["prompt"] for q in got["questions"]] == ["Only this now"]
    r = moderator.patch("/api/v1/surveys/%d" % s["id"], json={"closes_at": None, "thread_id": None})
    assert r.json()["survey"]["closes_at"] is None and r.json()["survey"]["thread_id"] is None
    assert r.json()["survey"]["title"] == "Renamed"
    assert cluster.sql("SELECT count(*) FROM survey_questions WHERE survey_id = %s", (s["id"],))[0][0] == 1
    assert_error(moderator.patch("/api/v1/surveys/%d" % s["id"], json={"opens_at": "2099-06-01T00:00:00Z",
                                                                       "closes_at": "2099-01-01T00:00:00Z"}),
                 400, "invalid_input", "closes_at")
    assert_error(moderator.patch("/api/v1/surveys/%d" % s["id"], json={"title": "x"}), 400, "invalid_input", "title")


def test_once_answered_only_wording_can_change(server, cluster, moderator, member):
    s = make_survey(moderator)
    assert answer(member, s, single=0, scale=3).status_code == 200
    current = s["questions"]

    def wanted(mutate):
        qs = [{"id": q["id"], "kind": q["kind"], "prompt": q["prompt"], "required": q["required"],
               "options": [{"id": o["id"], "label": o["label"]} for o in q["options"]]} for q in current]
        mutate(qs)
        return qs

    def fix(qs):
        qs[0]["prompt"] = "Is there, really, such a thing as this community?"
        qs[1]["options"][2]["label"] = "Meetups and conferences"
    r = moderator.patch("/api/v1/surveys/%d" % s["id"], json={"questions": wanted(fix)})
    assert r.status_code == 200, r.text
    got = r.json()["survey"]["questions"]
    assert got[0]["prompt"].startswith("Is there, really") and got[1]["options"][2]["label"] == "Meetups and conferences"
    assert [q["id"] for q in got] == [q["id"] for q in current]
    assert [o["id"] for o in got[1]["options"]] == [o["id"] for o in current[1]["options"]]

    def without_ids(qs):
        for q in qs:
            q.pop("id")
            for o in q["options"]:
                o.pop("id")
        qs[3]["prompt"] = "Reworded by position"
    assert moderator.patch("/api/v1/surveys/%d" % s["id"], json={"questions": wanted(without_ids)}).status_code == 200

    changes = [
        lambda qs: qs.append({"kind": "text", "prompt": "New"}),
        lambda qs: qs.pop(),
        lambda qs: qs.reverse(),
        lambda qs: qs[0].update(kind="multi"),
        lambda qs: qs[2].update(required=False),
        lambda qs: qs[0]["options"].pop(),
        lambda qs: qs[0]["options"].append({"label": "Maybe"}),
        lambda qs: qs[0]["options"].reverse(),
        lambda qs: qs[1].update(id=current[0]["id"]),
    ]
    for change in changes:
        assert_error(moderator.patch("/api/v1/surveys/%d" % s["id"], json={"questions": wanted(change)}),
                     409, "conflict", "questions")
    assert stored(cluster, s["id"]) == (1, 2)
    # title and times still change freely
    assert moderator.patch("/api/v1/surveys/%d" % s["id"], json={"title": "Still editable"}).status_code == 200


def test_only_moderators_edit_and_close(server, moderator, member):
    s = make_survey(moderator)
    assert_error(member.patch("/api/v1/surveys/%d" % s["id"], json={"title": "Mine now"}), 403, "forbidden")
    assert_error(member.post("/api/v1/surveys/%d/close" % s["id"]), 403, "forbidden")
    assert_error(moderator.patch("/api/v1/surveys/999999999", json={"title": "Gone"}), 404, "not_found")


def test_closing_a_survey(server, cluster, moderator, member):
    s = make_survey(moderator)
    closed = close(moderator, s)
    assert closed["status"] == "closed" and closed["closes_at"] is not None
    assert_error(moderator.post("/api/v1/surveys/%d/close" % s["id"]), 409, "conflict")
    later = make_survey(moderator, opens_at="2090-01-01T00:00:00Z")
    assert_error(moderator.post("/api/v1/surveys/%d/close" % later["id"]), 409, "conflict")
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE action = 'close_survey' AND target_id = %s",
                       (str(s["id"]),))[0][0] == 1


# --- results ---

def _role(by_role, slug):
    return next(e for e in by_role if e["slug"] == slug)


def test_results_are_for_moderators_while_open_and_for_everyone_after(server, cluster, moderator, member):
    s = make_survey(moderator)
    answer(member, s, single=0, scale=3)
    for path in ("/api/v1/surveys/%d/results", "/api/v1/surveys/%d/results.csv"):
        assert_error(member.get(path % s["id"]), 403, "forbidden")
        assert_error(requests.get(server.url(path % s["id"])), 403, "forbidden")
    # what is shown is the results, with the one response in them
    assert moderator.get("/api/v1/surveys/%d/results" % s["id"]).json()["respondents"]["total"] == 1
    assert len(moderator.get("/api/v1/surveys/%d/results.csv" % s["id"]).text.splitlines()) == 3
    close(moderator, s)
    assert requests.get(server.url("/api/v1/surveys/%d/results" % s["id"])).json()["respondents"]["total"] == 1
    assert len(requests.get(server.url("/api/v1/surveys/%d/results.csv" % s["id"])).text.splitlines()) == 3
    page = requests.get(server.url("/surveys/%d/results" % s["id"]))
    assert page.status_code == 200 and s["title"] in page.text and "<svg" in page.text
    assert_error(requests.get(server.url("/api/v1/surveys/999999999/results")), 404, "not_found")


@pytest.fixture
def scripted(server, cluster, moderator):
    """Six respondents with known answers: 3 practitioners, 2 consultants, 1 vendor."""
    s = make_survey(moderator)
    people = {name: make_user(server, cluster, community_role=role) for name, role in [
        ("P1", "practitioner"), ("P2", "practitioner"), ("P3", "practitioner"),
        ("C1", "consultant"), ("C2", "consultant"), ("V1", "vendor")]}
    script = [
        ("P1", dict(single=0, multi=[0, 1], scale=5, text="More practitioners, please")),
        ("P2", dict(single=0, multi=[0], scale=4)),
        ("P3", dict(single=1, scale=2, text="=cmd|' /C calc'!A0")),
        ("C1", dict(single=0, multi=[1, 2], scale=3, text='Say "hi", then leave')),
        ("C2", dict(single=2, multi=[2], scale=3)),
        ("V1", dict(single=1, multi=[0, 2], scale=1, text="line one\nline two")),
    ]
    for name, kw in script:
        r = answer(people[name], s, **kw)
        assert r.status_code == 200, r.text
    close(moderator, s)
    return s, people


def test_exact_results_by_role_and_kind(server, cluster, scripted):
    s, people = scripted
    res = requests.get(server.url("/api/v1/surveys/%d/results" % s["id"])).json()

    resp = res["respondents"]
    assert resp["total"] == 6 and resp["by_kind"] == {"doer": 3, "helper": 3}
    assert resp["share_by_kind"] == {"doer": 0.5, "helper": 0.5}
    # the six default roles first (display order); roles other tests add come after, empty
    assert [(e["slug"], e["count"], e["share"]) for e in resp["by_role"][:6]] == [
        ("practitioner", 3, 0.5), ("consultant", 2, 0.333), ("vendor", 1, 0.167),
        ("analyst", 0, 0.0), ("trainer", 0, 0.0), ("other", 0, 0.0)]
    assert all(e["count"] == 0 for e in resp["by_role"][6:])
    assert _role(resp["by_role"], "practitioner") == {"slug": "practitioner", "label": "Practitioner",
                                                      "kind": "doer", "count": 3, "share": 0.5}

    q1, q2, q3, q4 = res["questions"]
    assert q1["kind"] == "single" and q1["answered"]["total"] == 6
    assert q1["answered"]["by_kind"] == {"doer": 3, "helper": 3}
    yes, no, unsure = q1["options"]
    assert (yes["label"], yes["total"], yes["share"]) == ("Yes", 3, 0.5)
    assert yes["by_kind"] == {"doer": 2, "helper": 1} and yes["share_by_kind"] == {"doer": 0.667, "helper": 0.333}
    assert [(e["slug"], e["count"], e["share"]) for e in yes["by_role"][:6]] == [
        ("practitioner", 2, 0.667), ("consultant", 1, 0.5), ("vendor", 0, 0.0),
        ("analyst", 0, None), ("trainer", 0, None), ("other", 0, None)]
    assert (no["total"], no["share"], no["by_kind"]) == (2, 0.333, {"doer": 1, "helper": 1})
    assert _role(no["by_role"], "vendor")["share"] == 1.0 and _role(no["by_role"], "practitioner")["count"] == 1
    assert (unsure["total"], unsure["share"], unsure["share_by_kind"]) == (1, 0.167, {"doer": 0.0, "helper": 0.333})

    assert q2["answered"]["total"] == 5 and q2["answered"]["by_kind"] == {"doer": 2, "helper": 3}
    forum, chat, meetups = q2["options"]
    assert (forum["total"], forum["share"], forum["by_kind"], forum["share_by_kind"]) == (
        3, 0.6, {"doer": 2, "helper": 1}, {"doer": 1.0, "helper": 0.333})
    assert (chat["total"], chat["share"], chat["by_kind"]) == (2, 0.4, {"doer": 1, "helper": 1})
    assert (meetups["total"], meetups["share_by_kind"]) == (3, {"doer": 0.0, "helper": 1.0})
    assert [(e["count"], e["share"]) for e in meetups["by_role"][:3]] == [(0, 0.0), (2, 1.0), (1, 1.0)]

    assert q3["kind"] == "scale" and q3["distribution"] == [1, 1, 2, 1, 1]
    assert q3["mean"] == 3.0 and q3["mean_by_kind"] == {"doer": 3.667, "helper": 2.333}
    assert q3["distribution_by_kind"] == {"doer": [0, 1, 0, 1, 1], "helper": [1, 0, 2, 0, 0]}
    assert [(e["slug"], e["count"], e["mean"]) for e in q3["mean_by_role"][:6]] == [
        ("practitioner", 3, 3.667), ("consultant", 2, 3.0), ("vendor", 1, 1.0),
        ("analyst", 0, None), ("trainer", 0, None), ("other", 0, None)]
    assert "options" not in q3 or q3["options"] in (None, [])

    assert q4["kind"] == "text" and q4["answered"]["by_kind"] == {"doer": 2, "helper": 2}
    assert q4["answers"] == [
        {"role": "practitioner", "role_label": "Practitioner", "kind": "doer", "text": "More practitioners, please"},
        {"role": "practitioner", "role_label": "Practitioner", "kind": "doer", "text": "=cmd|' /C calc'!A0"},
        {"role": "consultant", "role_label": "Consultant", "kind": "helper", "text": 'Say "hi", then leave'},
        {"role": "vendor", "role_label": "Vendor", "kind": "helper", "text": "line one\nline two"}]


def test_who_answered_beside_the_community_mix(server, cluster, scripted):
    s, _ = scripted
    res = requests.get(server.url("/api/v1/surveys/%d/results" % s["id"])).json()
    mix = dict(cluster.sql("SELECT community_role, count(*) FROM users GROUP BY 1"))
    total = sum(mix.values())
    doers = cluster.sql("SELECT count(*) FROM users u JOIN community_roles r ON r.slug = u.community_role"
                        " WHERE r.kind = 'doer'")[0][0]
    com = res["community"]
    assert com["total"] == total
    for e in com["by_role"]:
        assert e["count"] == mix.get(e["slug"], 0)
        # rounded to 3 places by the server; Python's round() may land on the other side of
        # a half (27 / 720 = 0.0375 → 0.037 here, 0.038 there): compare within the rounding
        assert abs(e["share"] - mix.get(e["slug"], 0) / total) <= 0.0005 + 1e-9
    rep = res["representation"]
    prac = _role(rep["by_role"], "practitioner")
    assert (prac["respondents"], prac["respondent_share"], prac["community"]) == (3, 0.5, mix["practitioner"])
    assert rep["doer_share_respondents"] == 0.5 and abs(rep["doer_share_community"] - doers / total) <= 0.0005 + 1e-9
    assert rep["doers_under_represented"] == (0.5 < doers / total)
    assert _role(rep["by_role"], "analyst")["under_represented"] == (mix.get("analyst", 0) > 0)


def test_under_represented_doers_are_flagged(server, cluster, moderator):
    s = make_survey(moderator)
    answer(make_user(server, cluster, community_role="vendor"), s, single=0, scale=3)
    res = moderator.get("/api/v1/surveys/%d/results" % s["id"]).json()
    assert res["representation"]["doers_under_represented"] is True
    assert res["representation"]["doer_share_respondents"] == 0.0
    page = moderator.get("/surveys/%d/results" % s["id"]).text
    assert "Practitioners are under-represented" in page


def test_results_page_draws_charts_with_tables(server, scripted):
    s, _ = scripted
    page = requests.get(server.url("/surveys/%d/results" % s["id"]))
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert html.count('<figure class="chart"><svg') == 4   # who answered, single, multi, scale
    assert html.count("<table>") >= 5 and "<figcaption>" in html
    assert 'role="img"' in html and "<title>" in html and 'class="bar doer"' in html and 'class="bar helper"' in html
    assert "Doers — Yes: 2 of 3" in html            # a bar's own text alternative
    assert "<td>3 (50 %)</td>" in html                # Yes: 3 of 6 in the table
    assert "Say &quot;hi&quot;, then leave" in html  # free text escaped, grouped under its role
    assert html.index("More practitioners") < html.index("Say &quot;hi&quot;")
    assert "Download all answers (CSV)" in html


def test_csv_has_one_row_per_answer_with_roles_not_names(server, scripted):
    s, people = scripted
    r = requests.get(server.url("/api/v1/surveys/%d/results.csv" % s["id"]))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="survey-%d-answers.csv"' % s["id"]
    body = r.content.decode("utf-8")
    assert body.startswith("response_id,submitted_at,community_role,role_kind,question_id,question,answer\r\n")
    assert body.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    header, rows = rows[0], rows[1:]
    assert len(rows) == 21
    assert "username" not in header and not any(p.user["username"] in body for p in people.values())
    q = [x["id"] for x in s["questions"]]
    first = [row for row in rows if row[0] == rows[0][0]]
    assert [(row[2], row[3], int(row[4]), row[6]) for row in first] == [
        ("practitioner", "doer", q[0], "Yes"), ("practitioner", "doer", q[1], "Forum; Chat"),
        ("practitioner", "doer", q[2], "5"), ("practitioner", "doer", q[3], "More practitioners, please")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first[0][1])
    assert first[0][5] == "Is there such a thing as this community?"
    texts = [row[6] for row in rows if int(row[4]) == q[3]]
    assert texts == ["More practitioners, please", "'=cmd|' /C calc'!A0", 'Say "hi", then leave',
                     "line one\nline two"]
    assert '"Say ""hi"", then leave"' in body and '"line one\nline two"' in body
    assert sorted(row[2] for row in rows if int(row[4]) == q[0]) == [
        "consultant", "consultant", "practitioner", "practitioner", "practitioner", "vendor"]


def test_public_survey_csv_and_results_name_respondents(server, cluster, moderator, member):
    s = make_survey(moderator, public=True)
    answer(member, s, single=0, scale=2, text="Named")
    close(moderator, s)
    body = requests.get(server.url("/api/v1/surveys/%d/results.csv" % s["id"])).text
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == ["response_id", "submitted_at", "community_role", "role_kind", "username", "question_id",
                       "question", "answer"]
    assert {row[4] for row in rows[1:]} == {member.user["username"]}
    res = requests.get(server.url("/api/v1/surveys/%d/results" % s["id"])).json()
    assert res["questions"][3]["answers"][0]["username"] == member.user["username"]


# --- the database holds the invariants too ---

def test_database_constraints_hold_the_invariants(server, cluster, moderator, member):
    s = make_survey(moderator)
    q, o = ids(s)
    rid = answer(member, s, single=0, scale=3).json()["response"]["id"]
    bad = [
        ("INSERT INTO survey_options (question_id, question_kind, position, label) VALUES (%s, 'single', 9, 'x')",
         (q[3],)),  # an option on a text question
        ("INSERT INTO survey_responses (survey_id, user_id, community_role, role_kind) VALUES (%s, %s, 'vendor', 'helper')",
         (s["id"], member.user["id"])),  # a second response
        ("INSERT INTO survey_answers (response_id, survey_id, question_id, kind, value) VALUES (%s, %s, %s, 'scale', 6)",
         (rid, s["id"], q[2])),
        ("INSERT INTO survey_answers (response_id, survey_id, question_id, kind, text) VALUES (%s, %s, %s, 'text', %s)",
         (rid, s["id"], q[2], "x")),  # text on a scale question
        ("INSERT INTO survey_answers (response_id, survey_id, question_id, kind, option_id) VALUES (%s, %s, %s, 'single', %s)",
         (rid, s["id"], q[0], o[0][1])),  # a second option on a single choice
        ("INSERT INTO survey_answers (response_id, survey_id, question_id, kind, option_id) VALUES (%s, %s, %s, 'multi', %s)",
         (rid, s["id"], q[1], o[0][0])),  # an option of another question
        ("UPDATE survey_questions SET kind = 'text' WHERE id = %s", (q[2],)),  # kind under answers
        ("UPDATE surveys SET closes_at = opens_at WHERE id = %s", (s["id"],)),
    ]
    for sql, params in bad:
        # a constraint's refusal (SQLSTATE class 23), not any error: a statement with a
        # typo would raise one too
        with pytest.raises(psycopg2.IntegrityError):
            cluster.sql(sql, params)
    assert stored(cluster, s["id"]) == (1, 2)


# --- pages ---

def test_survey_page_form_answers_without_javascript(server, cluster, moderator, member):
    s = make_survey(moderator)
    q, o = ids(s)
    page = member.get("/surveys/%d" % s["id"])
    assert page.status_code == 200
    html = page.text
    assert '<input type="radio" name="q%d" value="%d"' % (q[0], o[0][0]) in html
    assert '<input type="checkbox" name="q%d" value="%d"' % (q[1], o[1][0]) in html
    assert '<input type="radio" name="q%d" value="5"' % q[2] in html
    assert '<label for="q%d">' % q[3] in html and '<textarea id="q%d" name="q%d"' % (q[3], q[3]) in html
    assert html.count("<legend>") == 3 and "(required)" in html
    form = [("csrf", member.csrf), ("q%d" % q[0], str(o[0][2])), ("q%d" % q[1], str(o[1][0])),
            ("q%d" % q[1], str(o[1][2])), ("q%d" % q[2], "4"), ("q%d" % q[3], "From the form")]
    r = member.s.post(server.url("/surveys/%d" % s["id"]), data=form, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/surveys/%d?saved=1" % s["id"]
    mine = member.get("/api/v1/surveys/%d" % s["id"]).json()["my_response"]["answers"]
    assert mine == [{"question_id": q[0], "option_ids": [o[0][2]]},
                    {"question_id": q[1], "option_ids": [o[1][0], o[1][2]]},
                    {"question_id": q[2], "value": 4}, {"question_id": q[3], "text": "From the form"}]
    again = member.get("/surveys/%d?saved=1" % s["id"]).text
    assert "Your answers are saved" in again
    assert 'value="%d" checked' % o[0][2] in again and 'value="4" checked' in again and "From the form</textarea>" in again
    # the saved time is shown for people, and the role line ends at its badge
    assert re.search(r'You answered on <time datetime="[0-9T:Z-]+">\d+ \w+ \d{4}, \d\d:\d\d UTC</time> as ', again)
    assert not re.search(r'<time[^>]*>\d{4}-\d\d-\d\dT', again)


def test_survey_form_errors_sit_beside_their_question_and_keep_the_input(server, cluster, moderator, member):
    s = make_survey(moderator)
    q, o = ids(s)
    form = {"csrf": member.csrf, "q%d" % q[0]: str(o[0][1]), "q%d" % q[3]: "kept text"}
    r = member.s.post(server.url("/surveys/%d" % s["id"]), data=form, allow_redirects=False)
    assert r.status_code == 400
    html = r.text
    assert 'role="alert"' in html and "Question 3: an answer is required." in html
    assert 'id="q%d" aria-describedby="q%d-help q%d-error" aria-invalid="true"' % (q[2], q[2], q[2]) in html
    assert html.count('aria-invalid="true"') == 1   # only the question at fault
    assert 'value="%d" checked' % o[0][1] in html and "kept text</textarea>" in html
    assert stored(cluster, s["id"]) == (0, 0)
    bad = member.s.post(server.url("/surveys/%d" % s["id"]), allow_redirects=False,
                        data={"csrf": member.csrf, "q%d" % q[0]: "nope", "q%d" % q[2]: "3"})
    assert bad.status_code == 400 and stored(cluster, s["id"]) == (0, 0)
    anon = requests.get(server.url("/surveys/%d" % s["id"])).text
    assert "Sign in</a> to answer" in anon and "<form method=\"post\" action=\"/surveys/" not in anon


def test_moderator_creates_from_the_template_page_and_edits(server, cluster, moderator, member):
    assert member.get("/surveys/new").status_code == 403
    page = moderator.get("/surveys/new")
    assert page.status_code == 200 and "Start from the template" in page.text
    filled = moderator.get("/surveys/new?template=community").text
    assert "single (required): Do you think there is such a thing as this community?" in filled
    text = re.search(r'<textarea id="questions"[^>]*>(.*?)</textarea>', filled, re.S).group(1)
    import html as htmllib
    r = moderator.s.post(server.url("/surveys/new"), allow_redirects=False, data={
        "csrf": moderator.csrf, "title": "From the template", "intro": "", "questions": htmllib.unescape(text),
        "thread_id": "", "opens_at": "", "closes_at": "2099-01-01T12:00"})
    assert r.status_code == 303, r.text
    sid = int(r.headers["Location"].rsplit("/", 1)[1])
    s = requests.get(server.url("/api/v1/surveys/%d" % sid)).json()["survey"]
    assert [q["kind"] for q in s["questions"]] == ["single", "scale", "single", "text", "multi"]
    assert s["closes_at"] == "2099-01-01T12:00:00Z" and s["public"] is False
    assert [o["label"] for o in s["questions"][4]["options"]][:2] == ["Discussions in this forum",
                                                                      "Meetups and conferences"]
    bad = moderator.s.post(server.url("/surveys/new"), allow_redirects=False, data={
        "csrf": moderator.csrf, "title": "Broken", "questions": "essay: Why?"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text and "essay: Why?" in bad.text
    edit = moderator.get("/surveys/%d/edit" % sid)
    assert edit.status_code == 200 and 'value="2099-01-01T12:00:00"' in edit.text
    r = moderator.s.post(server.url("/surveys/%d/edit" % sid), allow_redirects=False, data={
        "csrf": moderator.csrf, "title": "Edited in the form", "intro": "Now with an intro",
        "questions": "text (required): Just one question\n", "closes_at": "", "public": "true"})
    assert r.status_code == 303
    s = requests.get(server.url("/api/v1/surveys/%d" % sid)).json()["survey"]
    assert s["title"] == "Edited in the form" and s["closes_at"] is None and s["public"] is True
    assert [(q["kind"], q["prompt"], q["required"]) for q in s["questions"]] == [("text", "Just one question", True)]


def test_question_text_format(server, moderator):
    text = ("single (required): Pick one\n  continued prompt\n- Red\n-Blue\n\n\n"
            "MULTI*: Pick any\n- a\n- b\n- c\r\n\r\nscale: How much?\n\ntext: Why?")
    r = moderator.s.post(server.url("/surveys/new"), allow_redirects=False,
                         data={"csrf": moderator.csrf, "title": "Text format", "questions": text})
    assert r.status_code == 303, r.text
    s = requests.get(server.url("/api/v1/surveys/%s" % r.headers["Location"].rsplit("/", 1)[1])).json()["survey"]
    assert [(q["kind"], q["prompt"], q["required"], [o["label"] for o in q["options"]]) for q in s["questions"]] == [
        ("single", "Pick one continued prompt", True, ["Red", "Blue"]), ("multi", "Pick any", True, ["a", "b", "c"]),
        ("scale", "How much?", False, []), ("text", "Why?", False, [])]
    for bad in ("single: One option\n- only", "text: Why?\n- an option", "single: x\n- a\n- b\nstray line",
                "\n\n", "\n\n".join(["text: q"] * 51)):
        r = moderator.s.post(server.url("/surveys/new"), allow_redirects=False,
                             data={"csrf": moderator.csrf, "title": "Text format", "questions": bad})
        assert r.status_code == 400, bad


def test_list_page_and_nav_link(server, moderator):
    s = make_survey(moderator, title="Listed " + unique())
    html = requests.get(server.url("/surveys")).text
    assert s["title"] in html and 'href="/surveys/%d"' % s["id"] in html and "status-open" in html
    assert '<a href="/surveys">Surveys</a>' in requests.get(server.url("/")).text
    assert "New survey" in moderator.get("/surveys").text


def test_close_button_on_the_page(server, moderator):
    s = make_survey(moderator)
    page = moderator.get("/surveys/%d" % s["id"]).text
    assert 'action="/surveys/%d/close"' % s["id"] in page
    r = moderator.s.post(server.url("/surveys/%d/close" % s["id"]), data={"csrf": moderator.csrf},
                         allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/surveys/%d/results" % s["id"]
    again = moderator.s.post(server.url("/surveys/%d/close" % s["id"]), data={"csrf": moderator.csrf},
                             allow_redirects=False)
    assert again.status_code == 409 and "already closed" in again.text
