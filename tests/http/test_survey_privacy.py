"""Issue 16: survey results by role must not reveal what one person (or a few) answered.
A role's answers are shown on their own only with at least --survey-min-group respondents
(default 5); smaller roles are merged into "other roles" (or shown as "fewer than N"), in
the page, the JSON and the CSV, and the doer/helper split is left out when it would single
out a small group. Who answered (respondents per role) stays visible."""
import csv
import io

import pytest
import requests

from conftest import SHARED_ARGS, Server, make_user
from test_surveys import answer, close, make_survey

# the shared server runs with --survey-min-group 1 (exact per-role arithmetic is tested there)
ARGS = SHARED_ARGS


@pytest.fixture(scope="module")
def default_server(cluster):
    s = Server(["--database", cluster.url] + ARGS, name="surveydefault")
    yield s
    assert s.stop() == 0, s.output()


@pytest.fixture(scope="module")
def min2_server(cluster):
    s = Server(["--database", cluster.url, "--survey-min-group", "2"] + ARGS, name="surveymin2")
    yield s
    assert s.stop() == 0, s.output()


def _results(srv, s):
    r = requests.get(srv.url("/api/v1/surveys/%d/results" % s["id"]))
    assert r.status_code == 200, r.text
    return r.json()


def _csv(srv, s):
    body = requests.get(srv.url("/api/v1/surveys/%d/results.csv" % s["id"])).content.decode()
    rows = list(csv.reader(io.StringIO(body, newline="")))
    return rows[1:]


def _survey(srv, cluster, people):
    """A closed survey answered by people: [(community_role, answer kwargs)]."""
    mod = make_user(srv, cluster, "moderator")
    s = make_survey(mod)
    for role, kw in people:
        r = answer(make_user(srv, cluster, community_role=role), s, **kw)
        assert r.status_code == 200, r.text
    close(mod, s)
    return s


def test_two_respondents_reveal_neither_role_nor_kind(default_server, cluster):
    srv = default_server
    s = _survey(srv, cluster, [("practitioner", dict(single=0, scale=5, text="First words")),
                               ("vendor", dict(single=1, scale=1, text="Second words"))])
    res = _results(srv, s)
    assert res["min_group"] == 5 and res["kinds_shown"] is False
    other = {"slug": None, "label": "Other roles", "kind": None, "roles": ["practitioner", "vendor"],
             "fewer_than": 5, "count": None, "share": None}
    q1, _, q3, q4 = res["questions"]
    for by_role in [q1["answered"]["by_role"]] + [o["by_role"] for o in q1["options"]]:
        assert [e for e in by_role if e["count"] != 0] == [other]
        assert not {"practitioner", "vendor"} & {e["slug"] for e in by_role}
    assert q1["answered"]["by_kind"] is None
    assert all(o["by_kind"] is None and o["share_by_kind"] is None for o in q1["options"])
    assert q3["mean"] == 3.0 and q3["mean_by_kind"] is None and q3["distribution_by_kind"] is None
    assert [e for e in q3["mean_by_role"] if e["count"] != 0] == [
        {"slug": None, "label": "Other roles", "kind": None, "roles": ["practitioner", "vendor"],
         "fewer_than": 5, "count": None, "mean": None}]
    assert q4["answers"] == [{"role": None, "role_label": "Other roles", "kind": None, "text": "First words"},
                             {"role": None, "role_label": "Other roles", "kind": None, "text": "Second words"}]
    # who answered is not what they answered: it stays
    vendor = next(e for e in res["representation"]["by_role"] if e["slug"] == "vendor")
    assert vendor["respondents"] == 1

    rows = _csv(srv, s)
    assert rows and {(row[2], row[3]) for row in rows} == {("other roles", "")}

    html = requests.get(srv.url("/surveys/%d/results" % s["id"])).text
    answers_part = html[html.index('<h2 id="q'):]
    assert "fewer than 5" in answers_part and "Other roles" in answers_part
    assert "Vendor" not in answers_part and "Practitioner" not in answers_part
    assert "Doers" not in answers_part and '<figure class="chart">' not in answers_part
    assert "at least 5 people of that role" in html


def test_a_small_role_is_merged_with_the_next_smallest(min2_server, cluster):
    # vendor (1) alone would be "fewer than 2", and the total minus the roles shown would
    # still give it away: the smaller of the others (consultants, last in order) joins it
    srv = min2_server
    s = _survey(srv, cluster, [("practitioner", dict(single=0, scale=4)),
                               ("practitioner", dict(single=0, scale=5)),
                               ("consultant", dict(single=1, scale=3, text="Consultant words")),
                               ("consultant", dict(single=1, scale=3)),
                               ("vendor", dict(single=2, scale=1, text="Vendor words"))])
    res = _results(srv, s)
    assert res["min_group"] == 2 and res["kinds_shown"] is True
    yes, no, unsure = res["questions"][0]["options"]
    shown = [(e["slug"], e["count"]) for e in unsure["by_role"] if e["slug"] is None or e["count"]]
    assert shown == [(None, 1)]
    other = unsure["by_role"][-1]
    assert other["roles"] == ["consultant", "vendor"] and other["share"] == 0.333 and "fewer_than" not in other
    assert [(e["slug"], e["count"]) for e in yes["by_role"] if e["count"]] == [("practitioner", 2)]
    assert yes["by_kind"] == {"doer": 2, "helper": 0}          # helpers are three: safe
    q3 = res["questions"][2]
    assert q3["mean_by_role"][-1]["mean"] == 2.333 and q3["mean_by_role"][-1]["count"] == 3
    assert not any(e["slug"] in ("consultant", "vendor") for e in q3["mean_by_role"])
    assert [(a["role"], a["text"]) for a in res["questions"][3]["answers"]] == [
        (None, "Consultant words"), (None, "Vendor words")]
    roles = sorted((row[2], row[3]) for row in _csv(srv, s) if row[6] in ("Yes", "No", "Not sure"))
    assert roles == [("other roles", "")] * 3 + [("practitioner", "doer")] * 2


def test_kinds_are_hidden_when_they_would_single_out_a_merged_doer(min2_server, cluster):
    # one practitioner merged with the vendors: doers minus the doer roles shown would be
    # that one practitioner, so there is no doer/helper split
    srv = min2_server
    s = _survey(srv, cluster, [("practitioner", dict(single=0, scale=5)),
                               ("consultant", dict(single=1, scale=3)),
                               ("consultant", dict(single=1, scale=3)),
                               ("vendor", dict(single=2, scale=1)),
                               ("vendor", dict(single=2, scale=2))])
    res = _results(srv, s)
    assert res["kinds_shown"] is False
    q1 = res["questions"][0]
    assert [(e["slug"], e["count"]) for e in q1["answered"]["by_role"] if e["slug"] is None or e["count"]] == [
        ("consultant", 2), (None, 3)]
    assert q1["answered"]["by_role"][-1]["roles"] == ["practitioner", "vendor"]
    assert q1["answered"]["by_kind"] is None and q1["options"][0]["by_kind"] is None
    html = requests.get(srv.url("/surveys/%d/results" % s["id"])).text
    assert "not split into doers and helpers" in html
    assert "Doers" not in html[html.index('<h2 id="q'):]


def test_survey_min_group_must_be_a_positive_number(cluster):
    from conftest import cli
    out = cli("serve", "--database", cluster.url, "--survey-min-group", "0")
    assert out.returncode == 2 and "survey-min-group" in out.stderr
