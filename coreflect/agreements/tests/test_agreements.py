import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coreflect.agreements import actions, rules, standing
from coreflect.agreements.models import AgreementVersion, Signature
from coreflect.audit.models import AuditEvent
from coreflect.notes import register
from coreflect.people.models import Role
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import PROTOCOL
from coreflect.supervision.models import SupervisionRelationship
from coreflect.testing import make_person, supervise

TODAY = dt.date(2026, 11, 23)


def items(**reworded):
    return [
        rules.Item(i.key, i.title, reworded.get(i.key, i.text)) for i in PROTOCOL.agreement_template
    ]


def write(by, relationship, *, based_on=None, share=7, response=7, extra=(), **overrides):
    values = dict(
        sessions_a_month=1,
        session_minutes=60,
        usual_place="Room 3, Northton",
        changes_arranged="Email each other a week ahead.",
        notes_share_working_days=share,
        notes_response_working_days=response,
        items=[*items(), *extra],
    )
    values.update(overrides)
    return actions.write_version(by=by.user, relationship=relationship, based_on=based_on, **values)


def sign(person, relationship, version):
    return actions.sign(
        by=person.user,
        relationship=relationship,
        number=version.number,
        fingerprint=version.fingerprint,
    )


@pytest.fixture
def rel(alice):
    return SupervisionRelationship.objects.get(supervisee=alice, type="peer_work")


def test_both_sign_the_version_they_read_and_it_is_in_force(alice, sam, rel):
    version = write(sam, rel)
    first = sign(alice, rel, version)
    second = sign(sam, rel, version)
    assert (first.completes, second.completes) == (False, True)
    found = standing.standings(SupervisionRelationship.objects.filter(pk=rel.pk), today=TODAY)
    assert found[0].standing.state == rules.State.SIGNED
    assert found[0].standing.due_on == dt.date(2027, 11, 23)
    assert (
        list(
            AuditEvent.objects.filter(action="agreement.sign").values_list(
                "detail__side", flat=True
            )
        )
        == [
            "supervisor",
            "supervisee",
        ]
        or AuditEvent.objects.filter(action="agreement.sign").count() == 2
    )


def test_signing_a_version_other_than_the_one_read_is_refused(alice, sam, rel):
    version = write(sam, rel)
    with pytest.raises(actions.StaleAgreement):
        actions.sign(by=alice.user, relationship=rel, number=1, fingerprint="0" * 64)
    newer = write(alice, rel, based_on=1, usual_place="The café")
    with pytest.raises(actions.StaleAgreement):
        sign(alice, rel, version)
    sign(alice, rel, newer)
    assert Signature.objects.filter(version=version).count() == 0


def test_signing_twice_is_refused(alice, sam, rel):
    version = write(sam, rel)
    sign(alice, rel, version)
    with pytest.raises(ValidationError):
        sign(alice, rel, version)


def test_writing_from_a_stale_copy_is_refused(alice, sam, rel):
    write(sam, rel)
    with pytest.raises(actions.StaleAgreement):
        write(alice, rel, based_on=None, usual_place="Elsewhere")


def test_a_standard_item_cannot_be_removed(sam, rel):
    kept = items()[1:]
    with pytest.raises(ValidationError, match="cannot be removed"):
        write(sam, rel, items=kept)
    assert not AgreementVersion.objects.exists()


def test_a_standard_item_may_be_reworded_and_items_added(sam, rel):
    version = write(
        sam,
        rel,
        items=[*items(confidentiality="In our words."), rules.Item("", "Breaks", "We stop at 45.")],
    )
    assert version.item_list[4].text == "In our words."
    assert version.item_list[-1] == rules.Item("", "Breaks", "We stop at 45.")


def test_less_than_the_policy_minimum_a_month_is_refused(sam, rel):
    with pytest.raises(ValidationError, match="at least 60 minutes"):
        write(sam, rel, session_minutes=45)


def test_an_unchanged_version_is_refused(sam, rel):
    write(sam, rel)
    with pytest.raises(ValidationError, match="Nothing has changed"):
        write(sam, rel, based_on=1)


def test_only_the_two_write_and_sign(alice, lena, hana, rel):
    with pytest.raises(ValidationError):
        write(lena, rel)
    with pytest.raises(ValidationError):
        write(hana, rel)


def test_a_written_version_and_its_signatures_never_change_in_the_database(alice, sam, rel):
    version = write(sam, rel)
    sign(alice, rel, version)
    with pytest.raises(DatabaseError), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(usual_place="Changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(version=version).update(fingerprint="x")


def test_a_review_is_due_twelve_months_after_the_last_signing(alice, sam, rel):
    version = write(sam, rel)
    sign(alice, rel, version)
    sign(sam, rel, version)
    assert standing.due(today=TODAY) == []
    with time_machine.travel(dt.datetime(2027, 11, 24, 10, tzinfo=dt.UTC)):
        due = standing.due(today=dt.date(2027, 11, 24))
    assert [(d.relationship, d.standing.state) for d in due] == [(rel, rules.State.REVIEW_DUE)]


def test_either_may_ask_for_a_review_sooner(alice, sam, rel):
    version = write(sam, rel)
    sign(alice, rel, version)
    sign(sam, rel, version)
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, tzinfo=dt.UTC)):
        actions.request_review(by=alice.user, relationship=rel, reason="New role")
        [due] = standing.due(today=TODAY)
    assert due.standing.review_requested_on == TODAY
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)):
        again = write(alice, rel, based_on=1, usual_place="The café")
        sign(alice, rel, again)
        sign(sam, rel, again)
        assert standing.due(today=TODAY) == []


def test_due_lists_relationships_unsigned_past_the_policy_days(alice, sam, north):
    new = make_person("NEW", "New Starter", Role.PEER_WORKER, locality=north)
    supervise(sam, new, start=TODAY - dt.timedelta(days=10))
    due = standing.due(today=TODAY)
    assert [d.supervisee for d in due] == [alice]
    assert due[0].standing.state == rules.State.UNSIGNED_OVERDUE


def test_the_agreed_turnaround_sets_the_relationships_notes_deadlines(alice, sam, olly, sue, rel):
    version = write(sam, rel, share=7, response=3)
    sign(alice, rel, version)
    sign(sam, rel, version)
    deadlines = register.Deadlines.of(PolicySettings.objects.current())
    session_day = dt.date(2026, 11, 24)  # a Tuesday, after the signing
    agreed = deadlines.for_session(session_day, sam.pk, alice.pk)
    assert (agreed.share_days, agreed.response_days) == (7, 3)
    assert agreed.share_due(session_day) == dt.date(2026, 12, 3)
    # Sessions before the signing, and other relationships, keep the policy's.
    assert deadlines.for_session(TODAY - dt.timedelta(days=1), sam.pk, alice.pk).share_days == 5
    assert deadlines.for_session(session_day, sue.pk, olly.pk).share_days == 5


# Pages: the two, the supervisee's line manager and the head of peer work read; nobody else.


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "hana"])
def test_readers_open_the_agreement_its_versions_and_pdf(everyone, login, rel, who, sam):
    version = write(sam, rel)
    client = login(everyone[who])
    assert client.get(reverse("agreements:detail", args=[rel.pk])).status_code == 200
    assert (
        client.get(reverse("agreements:version", args=[rel.pk, version.number])).status_code == 200
    )
    assert rel.supervisee.name in client.get(reverse("agreements:list")).content.decode()
    response = client.get(reverse("agreements:version_pdf", args=[rel.pk, version.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="export.agreement")
    assert event.actor == everyone[who].user and event.detail["number"] == 1


@pytest.mark.parametrize("who", ["pat", "gus", "ada", "sue", "olly"])
def test_agreement_pages_without_permission_are_404(everyone, login, rel, who, sam):
    version = write(sam, rel)
    client = login(everyone[who])
    for url in [
        reverse("agreements:detail", args=[rel.pk]),
        reverse("agreements:write", args=[rel.pk]),
        reverse("agreements:version", args=[rel.pk, version.number]),
        reverse("agreements:version_pdf", args=[rel.pk, version.number]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("agreements:sign", args=[rel.pk]), {"number": 1}).status_code == 404
    assert client.post(reverse("agreements:review", args=[rel.pk])).status_code == 404
    assert rel.supervisee.name not in client.get(reverse("agreements:list")).content.decode()
    assert not AuditEvent.objects.filter(action="export.agreement").exists()


@pytest.mark.parametrize("who", ["lena", "hana"])
def test_readers_who_are_not_the_two_cannot_write_or_sign(everyone, login, rel, who, sam):
    version = write(sam, rel)
    client = login(everyone[who])
    assert client.get(reverse("agreements:write", args=[rel.pk])).status_code == 404
    data = {"number": version.number, "fingerprint": version.fingerprint}
    assert client.post(reverse("agreements:sign", args=[rel.pk]), data).status_code == 404
    assert not Signature.objects.exists()


def form_data(latest=None, **overrides):
    data = {
        "based_on": latest.number if latest else "",
        "sessions_a_month": 1,
        "session_minutes": 60,
        "usual_place": "Room 3",
        "changes_arranged": "Email a week ahead",
        "notes_share_working_days": 7,
        "notes_response_working_days": 7,
        **{f"item_{i.key}": i.text for i in PROTOCOL.agreement_template},
    }
    data.update(overrides)
    return data


def test_the_two_write_and_sign_through_the_pages(login, alice, sam, rel):
    response = login(sam).post(reverse("agreements:write", args=[rel.pk]), form_data())
    assert response.status_code == 302
    version = AgreementVersion.objects.get()
    for person in (sam, alice):
        page = login(person).get(reverse("agreements:detail", args=[rel.pk])).content.decode()
        assert "Sign version 1" in page
        login(person).post(
            reverse("agreements:sign", args=[rel.pk]),
            {"number": 1, "fingerprint": version.fingerprint},
        )
    assert Signature.objects.filter(version=version).count() == 2
    page = login(alice).get(reverse("agreements:detail", args=[rel.pk])).content.decode()
    assert "Sign version" not in page and "Review by" in page


def test_the_page_refuses_an_emptied_standard_item(login, sam, rel):
    response = login(sam).post(
        reverse("agreements:write", args=[rel.pk]), form_data(item_troubleshooting="")
    )
    assert response.status_code == 200
    assert not AgreementVersion.objects.exists()


def test_the_list_costs_the_same_however_many_agreements(login, hana, sam, north, rel):
    client = login(hana)
    client.get(reverse("agreements:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("agreements:list"))
    for n in range(5):
        person = make_person(f"P{n}", f"Person {n}", Role.PEER_WORKER, locality=north)
        supervise(sam, person)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("agreements:list"))
    assert len(many) == len(few)
