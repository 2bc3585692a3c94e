"""Reflective models: the list with its prompts, adding a model, a supervisee asking for another
and the supervisor answering, and the models in use by service (names and counts only)."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coreflect.audit.models import AuditEvent
from coreflect.notes import actions
from coreflect.notes.forms_models import parse_prompts
from coreflect.notes.models import ModelRequest, ReflectiveModel, RequestState
from coreflect.notes.models_in_use import NO_SERVICE, model_for, models_in_use
from coreflect.people.models import Role
from coreflect.supervision.models import RelationshipType, SupervisionRelationship
from coreflect.testing import make_person, supervise

DEFAULT = "What? So what? Now what?"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def gibbs(db):
    return ReflectiveModel.objects.create(
        name="Gibbs' cycle",
        summary="Six stages.",
        prompts=[{"heading": "Description", "prompt": "What happened?"}],
    )


def supervision_of(person):
    return SupervisionRelationship.objects.current(TODAY).peer_work().get(supervisee=person)


def ask(person, model):
    return actions.request_model(by=person.user, relationship=supervision_of(person), model=model)


def answer(supervisor, asked, agree):
    return actions.decide_model(by=supervisor.user, request=asked, agree=agree)


def in_use(service_models):
    """{service: {model name: count}} from models_in_use()."""
    return {s.service: {m.name: m.count for m in s.models} for s in service_models}


# The list of models.


def test_everyone_with_notes_reads_the_models_and_their_prompts(login, everyone, gibbs):
    for name in ("alice", "sam", "pat", "olly", "sue", "hana", "ada"):
        page = login(everyone[name]).get("/notes/models/")
        assert page.status_code == 200, name
        assert DEFAULT in page.text and "What happened? What was going on around it" in page.text
        assert "Gibbs&#x27; cycle" in page.text and "Description" in page.text


def test_models_page_without_permission(login, everyone):
    for name in ("lena", "gus"):
        assert login(everyone[name]).get("/notes/models/").status_code == 404, name


def test_models_page_asks_a_stranger_to_sign_in(client, db):
    assert client.get("/notes/models/").status_code == 302


def test_head_of_peer_work_adds_a_model_with_its_prompts(login, everyone):
    response = login(everyone["hana"]).post(
        "/notes/models/",
        {
            "name": "Driscoll",
            "summary": "Three questions.",
            "prompts": "What?: Describe it.\n\n So what? : Why does it matter?: really\n",
        },
    )
    assert response.status_code == 302
    added = ReflectiveModel.objects.get(name="Driscoll")
    assert added.prompts == [
        {"heading": "What?", "prompt": "Describe it."},
        {"heading": "So what?", "prompt": "Why does it matter?: really"},
    ]
    assert not added.is_default
    assert AuditEvent.objects.filter(action="notes.model.add", object_id=str(added.pk)).exists()


def test_administrator_adds_a_model(login, everyone):
    client = login(everyone["ada"])
    assert "Add a model" in client.get("/notes/models/").text
    client.post("/notes/models/", {"name": "Kolb", "prompts": "Experience: What happened?"})
    assert ReflectiveModel.objects.filter(name="Kolb").exists()


def test_adding_a_model_without_permission(login, everyone):
    for name in ("alice", "sam", "pat", "sue"):
        client = login(everyone[name])
        assert "Add a model" not in client.get("/notes/models/").text, name
        response = client.post("/notes/models/", {"name": name, "prompts": "A: b"})
        assert response.status_code == 404, name
    assert ReflectiveModel.objects.count() == 1


@pytest.mark.parametrize(
    ("prompts", "message"),
    [
        ("", "Enter headings and prompts"),
        ("\n  \n", "Enter headings and prompts"),
        ("What happened", "Line 1 needs a heading, a colon, then the prompt"),
        ("What?: fine\n: no heading", "Line 2 needs a heading"),
        ("What?:   ", "Line 1 needs a heading"),
    ],
)
def test_a_model_needs_at_least_one_heading_with_a_prompt(login, everyone, prompts, message):
    response = login(everyone["hana"]).post("/notes/models/", {"name": "New", "prompts": prompts})
    assert response.status_code == 200
    assert message in response.text and "There is a problem" in response.text
    assert not ReflectiveModel.objects.filter(name="New").exists()


def test_a_model_name_is_not_used_twice(login, everyone):
    response = login(everyone["hana"]).post(
        "/notes/models/", {"name": DEFAULT.upper(), "prompts": "A: b"}
    )
    assert "There is already a model called" in response.text
    assert ReflectiveModel.objects.count() == 1


def test_prompts_are_read_one_heading_a_line():
    assert parse_prompts("A: b\r\n\nC:d") == [
        {"heading": "A", "prompt": "b"},
        {"heading": "C", "prompt": "d"},
    ]


def test_prompts_need_at_least_one_line():
    with pytest.raises(ValidationError, match="at least one heading"):
        parse_prompts(" \n")


def test_a_heading_is_short():
    with pytest.raises(ValidationError, match="longer than 100"):
        parse_prompts("H" * 101 + ": prompt")


# Which model a supervision uses.


def test_a_supervision_uses_the_default_until_another_is_agreed(everyone, gibbs):
    alice, sam = everyone["alice"], everyone["sam"]
    relationship = supervision_of(alice)
    assert model_for(relationship).name == DEFAULT
    asked = ask(alice, gibbs)
    assert model_for(relationship).name == DEFAULT  # asked is not agreed
    answer(sam, asked, agree=True)
    assert model_for(relationship) == gibbs


def test_a_declined_request_leaves_the_model_as_it_was(everyone, gibbs):
    alice, sam = everyone["alice"], everyone["sam"]
    kolb = ReflectiveModel.objects.create(name="Kolb", prompts=[{"heading": "A", "prompt": "b"}])
    answer(sam, ask(alice, gibbs), agree=True)
    answer(sam, ask(alice, kolb), agree=False)
    assert model_for(supervision_of(alice)) == gibbs


def test_the_latest_agreement_wins(everyone, gibbs):
    """The clock is frozen, so both decisions share an instant."""
    alice, sam = everyone["alice"], everyone["sam"]
    default = ReflectiveModel.objects.get(is_default=True)
    answer(sam, ask(alice, gibbs), agree=True)
    answer(sam, ask(alice, default), agree=True)
    assert model_for(supervision_of(alice)) == default


def test_another_supervisions_agreement_does_not_count(everyone, gibbs):
    olly, sue = everyone["olly"], everyone["sue"]
    answer(sue, ask(olly, gibbs), agree=True)
    assert model_for(supervision_of(everyone["alice"])).name == DEFAULT


# The supervisee asks.


def test_supervisee_asks_for_another_model_and_sees_it_waiting(login, everyone, gibbs):
    client = login(everyone["alice"])
    page = client.get("/notes/models/ask/")
    assert page.status_code == 200 and "Gibbs&#x27; cycle" in page.text
    response = client.post("/notes/models/ask/", {"model": gibbs.pk})
    assert response.status_code == 302
    asked = ModelRequest.objects.get()
    assert asked.model == gibbs and asked.state == RequestState.REQUESTED
    assert asked.relationship == supervision_of(everyone["alice"])
    for address in ("/notes/models/ask/", "/notes/models/"):
        page = client.get(address)
        assert "Waiting for an answer" in page.text
        assert "Sam Senior has not answered yet" in page.text


def test_supervisee_has_one_open_request_at_a_time(login, everyone, gibbs):
    kolb = ReflectiveModel.objects.create(name="Kolb", prompts=[{"heading": "A", "prompt": "b"}])
    client = login(everyone["alice"])
    client.post("/notes/models/ask/", {"model": gibbs.pk})
    assert 'name="model"' not in client.get("/notes/models/ask/").text
    response = client.post("/notes/models/ask/", {"model": kolb.pk}, follow=True)
    assert "You have already asked" in response.text
    assert ModelRequest.objects.count() == 1


def test_supervisee_asks_again_once_answered(login, everyone, gibbs):
    alice, sam = everyone["alice"], everyone["sam"]
    answer(sam, ask(alice, gibbs), agree=False)
    page = login(alice).get("/notes/models/ask/")
    assert "Declined" in page.text and 'name="model"' in page.text
    login(alice).post("/notes/models/ask/", {"model": gibbs.pk})
    assert ModelRequest.objects.filter(state=RequestState.REQUESTED).count() == 1


def test_supervisee_cannot_ask_for_the_model_they_use(login, everyone, gibbs):
    default = ReflectiveModel.objects.get(is_default=True)
    response = login(everyone["alice"]).post("/notes/models/ask/", {"model": default.pk})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert not ModelRequest.objects.exists()


def test_supervisee_is_asked_to_choose_a_model(login, everyone, gibbs):
    response = login(everyone["alice"]).post("/notes/models/ask/", {})
    assert "Choose the model you would like to use." in response.text
    assert not ModelRequest.objects.exists()


def test_asking_without_a_peer_work_supervisor(login, everyone, gibbs):
    # Sam, Pat, Sue and Hana supervise or lead but have no supervisor of their own here.
    for name in ("sam", "pat", "sue", "hana", "lena", "gus", "ada"):
        client = login(everyone[name])
        assert client.get("/notes/models/ask/").status_code == 404, name
        assert client.post("/notes/models/ask/", {"model": gibbs.pk}).status_code == 404, name
    assert not ModelRequest.objects.exists()


def test_asking_after_the_supervision_ended(login, everyone, gibbs):
    SupervisionRelationship.objects.filter(supervisee=everyone["alice"]).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    assert login(everyone["alice"]).get("/notes/models/ask/").status_code == 404


# The supervisor answers.


def test_supervisor_sees_requests_waiting_for_them(login, everyone, gibbs):
    ask(everyone["alice"], gibbs)
    ask(everyone["olly"], gibbs)
    page = login(everyone["sam"]).get("/notes/models/requests/")
    assert page.status_code == 200
    assert [r.relationship.supervisee for r in page.context["waiting"]] == [everyone["alice"]]
    assert "Alice Able" in page.text and "Olly Other" not in page.text
    assert "1 request from people you supervise is waiting" in (
        login(everyone["sam"]).get("/notes/models/").text
    )


def test_requests_page_without_permission(login, everyone):
    for name in ("alice", "olly", "pat", "lena", "gus", "ada"):
        assert login(everyone[name]).get("/notes/models/requests/").status_code == 404, name


def test_supervisor_agrees_and_the_supervision_uses_the_model(login, everyone, gibbs):
    asked = ask(everyone["alice"], gibbs)
    response = login(everyone["sam"]).post(
        f"/notes/models/requests/{asked.pk}/answer/", {"decision": "agree"}, follow=True
    )
    assert "Agreed: Alice Able" in response.text
    assert model_for(supervision_of(everyone["alice"])) == gibbs
    assert "Agreed" in login(everyone["alice"]).get("/notes/models/").text


def test_supervisor_declines_and_the_supervision_keeps_its_model(login, everyone, gibbs):
    asked = ask(everyone["alice"], gibbs)
    login(everyone["sam"]).post(
        f"/notes/models/requests/{asked.pk}/answer/", {"decision": "decline"}
    )
    asked.refresh_from_db()
    assert asked.state == RequestState.DECLINED
    assert model_for(supervision_of(everyone["alice"])).name == DEFAULT
    assert "Declined" in login(everyone["alice"]).get("/notes/models/ask/").text


def test_answering_without_permission(login, everyone, gibbs):
    asked = ask(everyone["alice"], gibbs)
    for name in ("alice", "sue", "pat", "hana", "lena", "gus", "ada"):
        response = login(everyone[name]).post(
            f"/notes/models/requests/{asked.pk}/answer/", {"decision": "agree"}
        )
        assert response.status_code == 404, name
    asked.refresh_from_db()
    assert asked.state == RequestState.REQUESTED


def test_a_supervisor_whose_supervision_ended_cannot_answer(login, everyone, gibbs):
    asked = ask(everyone["alice"], gibbs)
    SupervisionRelationship.objects.filter(supervisee=everyone["alice"]).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    response = login(everyone["sam"]).post(
        f"/notes/models/requests/{asked.pk}/answer/", {"decision": "agree"}
    )
    assert response.status_code == 404


def test_answering_is_a_post_of_agree_or_decline(login, everyone, gibbs):
    asked = ask(everyone["alice"], gibbs)
    client = login(everyone["sam"])
    assert client.get(f"/notes/models/requests/{asked.pk}/answer/").status_code == 405
    client.post(f"/notes/models/requests/{asked.pk}/answer/", {"decision": "maybe"})
    asked.refresh_from_db()
    assert asked.state == RequestState.REQUESTED


def test_a_request_is_answered_once(login, everyone, gibbs):
    asked = ask(everyone["alice"], gibbs)
    client = login(everyone["sam"])
    client.post(f"/notes/models/requests/{asked.pk}/answer/", {"decision": "decline"})
    response = client.post(
        f"/notes/models/requests/{asked.pk}/answer/", {"decision": "agree"}, follow=True
    )
    assert "answered already" in response.text
    asked.refresh_from_db()
    assert asked.state == RequestState.DECLINED


# Models in use.


@pytest.fixture
def north_and_south(everyone, gibbs, north):
    """North: Alice (Gibbs agreed) and Nia (default); South: Olly (default)."""
    nia = make_person("NIA", "Nia North", Role.PEER_WORKER, locality=north)
    supervise(everyone["sam"], nia)
    answer(everyone["sam"], ask(everyone["alice"], gibbs), agree=True)
    return nia


def test_models_in_use_are_counted_by_service(north_and_south):
    assert in_use(models_in_use(on=TODAY)) == {
        "North": {"Gibbs' cycle": 1, DEFAULT: 1},
        "South": {DEFAULT: 1},
    }


def test_models_in_use_count_only_peer_work_supervision_in_force(everyone, north_and_south):
    SupervisionRelationship.objects.filter(supervisee=north_and_south).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    SupervisionRelationship.objects.create(
        supervisor=everyone["lena"],
        supervisee=everyone["olly"],
        type=RelationshipType.LINE_MANAGEMENT,
        start_date=TODAY,
    )
    assert in_use(models_in_use(on=TODAY)) == {
        "North": {"Gibbs' cycle": 1},
        "South": {DEFAULT: 1},
    }


def test_supervisees_without_a_service_are_counted_apart(everyone, north_and_south):
    supervise(make_person("EVE", "Eve Director", Role.EXECUTIVE_DIRECTOR), everyone["hana"])
    assert in_use(models_in_use(on=TODAY))[NO_SERVICE] == {DEFAULT: 1}


def test_head_of_peer_work_sees_every_service_names_and_counts_only(
    login, everyone, north_and_south
):
    page = login(everyone["hana"]).get("/notes/models/")
    assert in_use(page.context["in_use"]) == in_use(models_in_use(on=TODAY))
    assert "Models in use" in page.text
    for name in ("Alice Able", "Nia North", "Olly Other", "Sam Senior", "Sue South"):
        assert name not in page.text


def test_peer_lead_sees_their_own_service_only(login, everyone, north_and_south):
    page = login(everyone["pat"]).get("/notes/models/")
    assert in_use(page.context["in_use"]) == {"North": {"Gibbs' cycle": 1, DEFAULT: 1}}
    assert "South" not in page.text


def test_peer_lead_of_a_service_with_no_supervision_sees_none(login, everyone, south):
    lead = make_person("PIP", "Pip South", Role.PEER_COORDINATOR, locality=south)
    SupervisionRelationship.objects.all().delete()
    page = login(lead).get("/notes/models/")
    assert in_use(page.context["in_use"]) == {"South": {}}
    assert "No peer work supervision is in force today." in page.text


def test_models_in_use_without_permission(login, everyone, north_and_south):
    for name in ("alice", "sam", "olly", "sue", "ada"):
        page = login(everyone[name]).get("/notes/models/")
        assert page.context["in_use"] is None and "Models in use" not in page.text, name


def test_counting_models_in_use_does_not_grow_with_supervisions(
    everyone, north_and_south, django_assert_num_queries, north
):
    with CaptureQueriesContext(transaction.get_connection()) as few:
        models_in_use(on=TODAY)
    for n in range(5):
        person = make_person(f"P{n}", f"Person {n}", Role.PEER_WORKER, locality=north)
        supervise(everyone["sam"], person)
    with django_assert_num_queries(len(few.captured_queries)):
        models_in_use(on=TODAY)


# The counts against a plain reference: the last agreed model of each supervision's history
# (else the default), counted in Python.

# For each of three supervisions, the requests made one after another: (model, answer), where
# None leaves the request waiting (so it is the last).
decisions = st.lists(
    st.lists(st.tuples(st.integers(0, 2), st.sampled_from([True, False, None])), max_size=4),
    min_size=3,
    max_size=3,
)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=decisions)
def test_models_in_use_agree_with_the_history_of_requests(everyone, history):
    with transaction.atomic():
        models = [
            ReflectiveModel.objects.get(is_default=True),
            *(
                ReflectiveModel.objects.create(
                    name=f"Model {n}", prompts=[{"heading": "A", "prompt": "b"}]
                )
                for n in (1, 2)
            ),
        ]
        supervise(everyone["hana"], everyone["sam"])
        supervisees = [everyone["alice"], everyone["olly"], everyone["sam"]]
        expected: dict[str, Counter[str]] = {"North": Counter(), "South": Counter()}
        for person, requests in zip(supervisees, history, strict=True):
            supervisor = supervision_of(person).supervisor
            uses = models[0]
            for model, agreed in requests:
                asked = ask(person, models[model])
                if agreed is None:
                    break
                answer(supervisor, asked, agree=agreed)
                if agreed:
                    uses = models[model]
            assert model_for(supervision_of(person)) == uses
            expected[person.service.name][uses.name] += 1
        assert in_use(models_in_use(on=TODAY)) == {k: dict(v) for k, v in expected.items()}
        transaction.set_rollback(True)


def test_the_models_page_is_linked_for_those_who_may_read_it(login, everyone):
    """The head of peer work reaches it from the register, an administrator from the policy
    page; governance sees the register without the link, as the page is not theirs."""
    assert 'href="/notes/models/"' in login(everyone["hana"]).get("/notes/register/").text
    assert 'href="/notes/models/"' in login(everyone["ada"]).get("/policy/").text
    assert 'href="/notes/models/"' in login(everyone["alice"]).get("/notes/").text
    governance = login(everyone["gus"]).get("/notes/register/")
    assert governance.status_code == 200 and 'href="/notes/models/"' not in governance.text
