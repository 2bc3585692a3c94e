"""The overview (`/`) and the stored results it counts: right the moment anything they are
computed from changes, the same from any server process, and counted in SQL as the engine
would count them.

The clock is frozen on Monday 23 November 2026: recording year 2026/27, quarters 1 and 2
ended, quarter 3 (October to December) in progress. The six peer-work personas have no
sessions unless a test gives them some: quarters 1 and 2 not met, quarter 3 and the year at
risk.
"""

import dataclasses
import datetime as dt
import functools
import operator
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coreflect.compliance import matrix, rules, views
from coreflect.compliance.models import StoredResult, current_policy
from coreflect.people.models import Absence, EmploymentPeriod, Person, Role
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship
from coreflect.testing import make_person, supervise

D = dt.date
TODAY = D(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")
STATUSES = [status.value for status in rules.Status]


def session(lead, people, day, kind="one_to_one", status="attended"):
    made = Session.objects.create(
        kind=kind,
        date=day,
        start_time=dt.time(10),
        duration_minutes=60,
        lead=lead,
        modality="in_person",
    )
    for person in people:
        Attendance.objects.create(session=made, person=person, status=status)
    return made


def numbers(response) -> dict[str, object]:
    """What the overview counts: each status this quarter and this year, and each list."""
    overview = response.context["overview"]
    return {
        "people": overview.people,
        "quarter": {s.value: n for s, n, _ in overview.summary if n},
        "year": {s.value: n for s, _, n in overview.summary if n},
        "at risk": overview.at_risk_count,
        "missed": overview.missed_count,
        "unsupervised": overview.unsupervised_count,
    }


BEFORE = {
    "people": 6,
    "quarter": {"at_risk": 6},
    "year": {"at_risk": 6},
    "at risk": 6,
    "missed": 6,
    "unsupervised": 4,  # Hana, Pat, Sam and Sue
}


@pytest.fixture
def hana_sees(login, everyone):
    """The head of peer work's client, having opened the overview once (results stored)."""
    client = login(everyone["hana"])
    assert numbers(client.get("/")) == BEFORE
    return client


@pytest.fixture
def quarter_three_booked(everyone):
    """Alice's quarter 3 sessions, on her register as invited: two one-to-ones and a
    co-reflection, all before today."""
    alice, sam = everyone["alice"], everyone["sam"]
    made = [session(sam, [alice], D(2026, 10, day), status="invited") for day in (6, 20)]
    made.append(session(sam, [alice], D(2026, 11, 4), "co_reflection", status="invited"))
    return made


# Every kind of write shows at once.


def test_recording_attendance_changes_the_counts_at_once(everyone, quarter_three_booked, hana_sees):
    Attendance.objects.filter(person=everyone["alice"]).update(status="attended")
    assert numbers(hana_sees.get("/")) == {
        **BEFORE,
        "quarter": {"met": 1, "at_risk": 5},
        "at risk": 6,  # Alice's year is still at risk (3 of 8)
    }


def test_moving_a_session_changes_the_counts_at_once(everyone, quarter_three_booked, hana_sees):
    Attendance.objects.filter(person=everyone["alice"]).update(status="attended")
    assert numbers(hana_sees.get("/"))["quarter"] == {"met": 1, "at_risk": 5}
    co_reflection = quarter_three_booked[-1]
    Session.objects.filter(pk=co_reflection.pk).update(date=D(2027, 1, 13))  # into quarter 4
    assert numbers(hana_sees.get("/"))["quarter"] == {"at_risk": 6}


def test_ending_employment_before_the_year_takes_a_person_out_at_once(everyone, hana_sees):
    EmploymentPeriod.objects.filter(person=everyone["olly"]).update(end_date=D(2026, 3, 31))
    assert numbers(hana_sees.get("/")) == {
        **BEFORE,
        "people": 5,
        "quarter": {"at_risk": 5},
        "year": {"at_risk": 5},
        "at risk": 5,
        "missed": 5,
    }


def test_long_term_sickness_changes_the_counts_at_once(everyone, hana_sees):
    Absence.objects.create(
        person=everyone["alice"],
        type="sickness",
        start_date=D(2026, 10, 1),
        end_date=D(2026, 12, 31),
    )
    assert numbers(hana_sees.get("/"))["quarter"] == {"not_applicable": 1, "at_risk": 5}


def test_ending_supervision_changes_the_counts_at_once(everyone, hana_sees):
    SupervisionRelationship.objects.filter(supervisee=everyone["alice"]).update(
        end_date=D(2026, 11, 1)
    )
    assert numbers(hana_sees.get("/")) == {**BEFORE, "unsupervised": 5}


def test_a_new_supervisor_changes_the_counts_at_once(everyone, hana_sees):
    supervise(everyone["pat"], everyone["sam"])
    assert numbers(hana_sees.get("/")) == {**BEFORE, "unsupervised": 3}


def test_leaving_peer_work_takes_a_person_out_at_once(everyone, hana_sees):
    Person.objects.filter(pk=everyone["sue"].pk).update(role=Role.LINE_MANAGER)
    assert numbers(hana_sees.get("/"))["people"] == 5


def test_deleting_a_person_takes_them_out_at_once(everyone, hana_sees):
    Person.objects.filter(pk=everyone["olly"].pk).delete()
    assert numbers(hana_sees.get("/"))["people"] == 5


def test_a_new_person_counts_at_once(north, hana_sees):
    make_person("NEW", "New Worker", Role.PEER_WORKER, locality=north, login=False)
    assert numbers(hana_sees.get("/")) == {
        **BEFORE,
        "people": 7,
        "quarter": {"at_risk": 7},
        "year": {"at_risk": 7},
        "at risk": 7,
        "missed": 7,
        "unsupervised": 5,
    }


def test_changing_the_policy_changes_the_counts_at_once(everyone, hana_sees):
    PolicySettings.objects.update(quarter_one_to_one=0, quarter_co_reflection=0)
    assert numbers(hana_sees.get("/")) == {
        **BEFORE,
        "quarter": {"not_applicable": 6},
        "missed": 0,
    }


def test_the_next_day_counts_afresh(everyone, frozen_clock, hana_sees):
    """A one-to-one booked for tomorrow keeps Alice on track today; tomorrow, with no
    attendance recorded, she is at risk (today's results are still recent enough to keep:
    only their as-of date says they are not tomorrow's)."""
    alice, sam = everyone["alice"], everyone["sam"]
    session(sam, [alice], D(2026, 10, 6))
    session(sam, [alice], D(2026, 11, 4), "co_reflection")
    session(sam, [alice], D(2026, 11, 24), status="invited")
    assert numbers(hana_sees.get("/"))["quarter"] == {"on_track": 1, "at_risk": 5}
    frozen_clock.move_to(dt.datetime(2026, 11, 24, 10, tzinfo=LONDON))
    hana_sees.force_login(everyone["hana"].user)  # signed out after a day idle
    assert numbers(hana_sees.get("/"))["quarter"] == {"at_risk": 6}


# Stored results: in the database, stamped, recomputed only when stale.


def forget_this_process():
    """What a server process holds between requests: only the engine's pure caches."""
    rules._result.cache_clear()
    rules.requirements.cache_clear()
    matrix._requirements.cache_clear()
    matrix.fingerprint.cache_clear()
    matrix._last_overview = None


def test_two_server_processes_agree(everyone, quarter_three_booked, hana_sees):
    """Each client plays a server process: one stored the results, the other reads them and
    sees the same, and a write shows on both."""
    other = Client()
    other.force_login(everyone["hana"].user)
    forget_this_process()
    assert numbers(other.get("/")) == BEFORE
    Attendance.objects.filter(person=everyone["alice"]).update(status="attended")
    after = numbers(other.get("/"))
    forget_this_process()
    assert numbers(hana_sees.get("/")) == after != BEFORE


def test_only_stale_results_are_recomputed(everyone, quarter_three_booked, hana_sees):
    """An unchanged organisation reads its stored results; a write recomputes its people."""
    recomputed = []
    real = matrix.store

    def store(tokens, context, **kwargs):
        recomputed.extend(tokens)
        return real(tokens, context, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matrix, "store", store)
        hana_sees.get("/")
        assert recomputed == []
        # Nothing stale: the checksum alone says so, without looking for stale results.
        policy = current_policy()
        with CaptureQueriesContext(connection) as checked:
            matrix.refresh(None, matrix.Context(2026, TODAY, policy))
        assert len(checked) == 1
        Attendance.objects.filter(person=everyone["alice"]).update(status="attended")
        hana_sees.get("/")
        assert recomputed == [everyone["alice"].pk]


def test_a_write_while_results_are_computed_leaves_them_stale(
    everyone, quarter_three_booked, login, monkeypatch
):
    """Tokens are read before the engine reads the records, so a result computed from
    records a write has since changed is stamped with the old token, and recomputed next."""
    real = matrix.compute

    def compute_then_write(*args, **kwargs):
        computed = real(*args, **kwargs)
        Attendance.objects.filter(person=everyone["alice"]).update(status="attended")
        return computed

    monkeypatch.setattr(matrix, "compute", compute_then_write)
    client = login(everyone["hana"])
    assert numbers(client.get("/"))["quarter"] == {"at_risk": 6}  # computed before the write
    monkeypatch.undo()
    assert numbers(client.get("/"))["quarter"] == {"met": 1, "at_risk": 5}


def test_results_not_computed_since_yesterday_are_recomputed_and_then_pruned(hana_sees):
    """Results are pruned once not computed since yesterday, so older ones are not trusted:
    a page reading one could see it pruned from under it."""
    StoredResult.objects.update(computed_on=TODAY - dt.timedelta(days=2))
    other_day = StoredResult.objects.first()
    other_day.pk, other_day.as_of = None, D(2026, 6, 1)
    other_day.save()
    assert numbers(hana_sees.get("/")) == BEFORE
    assert set(StoredResult.objects.values_list("computed_on", flat=True)) == {TODAY}
    assert not StoredResult.objects.filter(as_of=D(2026, 6, 1)).exists()


def test_each_year_is_stored_apart(everyone):
    """A result is for one recording year: last year's do not answer for this year's."""
    alice, sam = everyone["alice"], everyone["sam"]
    session(sam, [alice], D(2025, 10, 6))
    policy = current_policy()
    people = Person.objects.filter(pk=alice.pk)
    (this_year,) = matrix.build(people, start_year=2026, as_of=TODAY, policy=policy)
    (last_year,) = matrix.build(people, start_year=2025, as_of=TODAY, policy=policy)
    assert this_year.result.year.component(rules.TOTAL).attended == 0
    assert last_year.result.year.component(rules.TOTAL).attended == 1


def test_rows_hold_plain_values_not_model_instances(everyone):
    """Rows are read afresh on each request; what they show of a person is a frozen value."""
    policy = current_policy()
    rows = matrix.build(Person.objects.all(), start_year=2026, as_of=TODAY, policy=policy)
    alice = next(row for row in rows if row.person.external_id == "ALICE")
    assert not isinstance(alice.person, models.Model)
    with pytest.raises(dataclasses.FrozenInstanceError):
        alice.person.name = "Someone else"
    assert (alice.person.name, alice.person.get_role_display()) == ("Alice Able", "Peer Worker")
    assert (alice.person.service.name, alice.person.locality.name) == ("North", "Northton")
    assert alice.supervisor == matrix.Supervisor(everyone["sam"].pk, "Sam Senior")


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(rules.Policy)])
def test_every_number_of_the_policy_changes_its_fingerprint(db, field):
    policy = current_policy()
    value = getattr(policy, field)
    if isinstance(value, frozenset):
        other = value ^ {"annual_leave"}
    elif isinstance(value, rules.Rounding):
        other = next(r for r in rules.Rounding if r != value)
    else:
        other = value + 1
    assert matrix.fingerprint(dataclasses.replace(policy, **{field: other})) != matrix.fingerprint(
        policy
    )


def test_the_matrix_filters_by_a_status_in_a_period(everyone, hana_sees):
    """Filtered in SQL on the stored statuses: in one quarter, the year, or any period."""
    pat, sam = everyone["pat"], everyone["sam"]
    for day in (D(2026, 4, 6), D(2026, 5, 6)):
        session(sam, [pat], day)
    session(sam, [pat], D(2026, 5, 27), "co_reflection")

    def matched(query):
        return hana_sees.get(f"/matrix/?{query}").context["page"].paginator.count

    assert matched("status=met&period=1") == 1
    assert matched("status=not_met&period=1") == 5
    assert matched("status=not_met&period=2") == 6
    assert matched("status=not_met") == 6
    assert matched("status=at_risk&period=1") == 0
    assert matched("status=at_risk&period=year") == 6
    assert matched("status=met&period=year") == 0


# The lists, and who sees what.


def test_the_overview_lists_who_missed_an_ended_quarter(everyone, hana_sees, monkeypatch):
    """Capped like the other lists, with a link to the matrix showing all of them."""
    alice, sam, pat = everyone["alice"], everyone["sam"], everyone["pat"]
    # Pat met quarters 1 and 2 (two one-to-ones and a co-reflection in each).
    for month in (4, 5, 7, 8):
        session(sam, [pat], D(2026, month, 6))
    for month in (5, 8):
        session(sam, [pat], D(2026, month, 27), "co_reflection")
    # Alice met quarter 1 only.
    session(sam, [alice], D(2026, 4, 7))
    session(sam, [alice], D(2026, 5, 7))
    session(pat, [alice], D(2026, 5, 27), "co_reflection")
    monkeypatch.setattr(views, "LISTED", 2)
    response = hana_sees.get("/")
    overview = response.context["overview"]
    assert overview.missed_count == 5
    assert [(p.name, p.not_met) for p in overview.missed] == [
        ("Alice Able", [2]),
        ("Hana Head", [1, 2]),
    ]
    text = response.content.decode()
    assert "did not meet quarter 2</li>" in text
    assert "did not meet quarter 1 or quarter 2</li>" in text
    assert 'And 3 more: <a href="/matrix/?status=not_met">' in text
    everyone_who_missed = hana_sees.get("/matrix/?status=not_met").context["page"]
    assert everyone_who_missed.paginator.count == 5


def test_the_overview_lists_are_capped_with_links_to_the_rest(everyone, hana_sees, monkeypatch):
    monkeypatch.setattr(views, "LISTED", 2)
    response = hana_sees.get("/")
    overview = response.context["overview"]
    assert [p.name for p in overview.at_risk] == ["Alice Able", "Hana Head"]
    assert [p.name for p in overview.unsupervised] == ["Hana Head", "Pat Lead"]
    text = response.content.decode()
    assert 'And 4 more: <a href="/matrix/?status=at_risk">' in text
    assert 'And 2 more: <a href="/matrix/?supervisor=none">' in text
    assert hana_sees.get("/matrix/?status=at_risk").context["page"].paginator.count == 6
    assert hana_sees.get("/matrix/?supervisor=none").context["page"].paginator.count == 4


def test_a_peer_worker_sees_only_their_own_numbers(login, everyone):
    assert numbers(login(everyone["alice"]).get("/")) == {
        "people": 1,
        "quarter": {"at_risk": 1},
        "year": {"at_risk": 1},
        "at risk": 1,
        "missed": 1,
        "unsupervised": 0,
    }


def test_the_overview_without_permission_counts_no_one_else(login, everyone):
    """A line manager sees their report; a governance lead with no one in peer work sees no
    one's numbers at all (the head of peer work sees all six)."""
    assert numbers(login(everyone["lena"]).get("/"))["people"] == 1
    Person.objects.exclude(pk=everyone["gus"].pk).update(line_manager=None)
    client = Client()
    client.force_login(everyone["ada"].user)
    assert numbers(client.get("/"))["people"] == 6


def test_a_repeated_whole_organisation_overview_reads_only_the_checksum(hana_sees):
    """While nothing changes, this process's last count of everyone answers: the checksum is
    the overview's only query."""
    matrix._last_overview = None
    with CaptureQueriesContext(connection) as counted:
        assert numbers(hana_sees.get("/")) == BEFORE
    with CaptureQueriesContext(connection) as again:
        assert numbers(hana_sees.get("/")) == BEFORE
    read = [q["sql"] for q in again if "storedresult" in q["sql"]]
    assert len(read) == 1 and "BIT_XOR" in read[0]
    assert len(counted) == len(again) + 2  # the counts and the lists


def test_only_the_whole_organisations_overview_is_kept(everyone, hana_sees):
    """Only the whole organisation's overview is kept (there is one place for it): a line
    manager gets their own, and the head of peer work's is still kept after it."""
    hana_sees.get("/")  # counted from current results, so kept (the first visit stored them)
    lena = Client()
    lena.force_login(everyone["lena"].user)
    assert numbers(lena.get("/"))["people"] == 1
    with CaptureQueriesContext(connection) as again:
        assert numbers(hana_sees.get("/")) == BEFORE
    assert len([q for q in again if "storedresult" in q["sql"]]) == 1


def test_the_overview_needs_a_sign_in(client, everyone):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_overview_query_count_does_not_grow_with_people(client, north, hana):
    sam = make_person("SUP", "Sup Ervisor", Role.SENIOR_PEER_WORKER, locality=north, login=False)

    def add_people(count, offset):
        for n in range(offset, offset + count):
            person = make_person(f"W{n}", f"W {n}", Role.PEER_WORKER, locality=north, login=False)
            supervise(sam, person)
            session(sam, [person], D(2026, 5, 1))
            Absence.objects.create(
                person=person, type="sickness", start_date=D(2026, 6, 1), end_date=D(2026, 7, 30)
            )

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        return len(captured)

    client.force_login(hana.user)
    add_people(10, 0)
    client.get("/")  # the first request creates the policy row
    counted = {}
    for people in (10, 100):
        if people == 100:
            add_people(90, 10)
        StoredResult.objects.all().delete()
        everyone_stale = queries("/")
        all_current = queries("/")
        counted[people] = (everyone_stale, all_current)
    assert client.get("/").context["overview"].people == 102
    assert counted[10] == counted[100]
    assert counted[10][1] < counted[10][0]


# The SQL against a plain reference: the engine's results, counted in Python.

PEER_ROLES = [Role.PEER_WORKER, Role.PEER_SUPPORT_WORKER, Role.SENIOR_PEER_WORKER]
YEAR_START = D(2026, 4, 1)


@dataclasses.dataclass(frozen=True)
class Someone:
    role: str
    employed: tuple[dt.date, dt.date | None] | None
    sick: tuple[dt.date, dt.date] | None
    supervisor: int | None
    sessions: tuple[tuple[dt.date, str, str], ...]


def day_around_the_year(draw) -> dt.date:
    return draw(st.dates(YEAR_START - dt.timedelta(days=120), D(2027, 5, 31)))


@st.composite
def organisations(draw) -> tuple[list[Someone], dt.date, frozenset[int]]:
    size = draw(st.integers(1, 7))
    people = []
    for n in range(size):
        start = day_around_the_year(draw)
        end = draw(st.one_of(st.none(), st.dates(start, D(2027, 6, 30))))
        sick_from = day_around_the_year(draw)
        sessions = draw(
            st.lists(
                st.tuples(
                    st.dates(YEAR_START, D(2027, 3, 31)),
                    st.sampled_from(["one_to_one", "co_reflection"]),
                    st.sampled_from(["attended", "attended", "invited", "did_not_attend"]),
                ),
                max_size=10,
            )
        )
        people.append(
            Someone(
                role=draw(st.sampled_from([*PEER_ROLES, Role.LINE_MANAGER])),
                employed=draw(st.one_of(st.none(), st.just((start, end)))),
                sick=draw(st.one_of(st.none(), st.just((sick_from, sick_from + dt.timedelta(40))))),
                supervisor=draw(
                    st.one_of(
                        st.none(),
                        st.integers(0, size - 1).filter(functools.partial(operator.ne, n)),
                    )
                ),
                sessions=tuple(sessions),
            )
        )
    as_of = draw(st.dates(YEAR_START, D(2027, 3, 31)))
    seen = draw(st.frozensets(st.integers(0, size - 1)))
    return people, as_of, seen


def create(organisation: list[Someone]) -> list[Person]:
    lead = make_person("LEAD", "A Lead", Role.PEER_LEAD, employed_from=None, login=False)
    made = []
    for n, someone in enumerate(organisation):
        person = make_person(
            f"P{n}", f"Person {n % 3}", someone.role, employed_from=None, login=False
        )
        if someone.employed is not None:
            EmploymentPeriod.objects.create(
                person=person, start_date=someone.employed[0], end_date=someone.employed[1]
            )
        if someone.sick is not None:
            Absence.objects.create(
                person=person, type="sickness", start_date=someone.sick[0], end_date=someone.sick[1]
            )
        for day, kind, status in someone.sessions:
            session(lead, [person], day, kind, status)
        made.append(person)
    for person, someone in zip(made, organisation, strict=True):
        if someone.supervisor is not None:
            supervise(made[someone.supervisor], person, start=YEAR_START - dt.timedelta(days=400))
    return made


def reference(people: list[Person], context: matrix.Context, listed: int) -> dict[str, object]:
    """The overview's numbers from the engine's results (computed afresh, nothing stored)
    and `in_year`'s members, counted in Python."""
    year = context.year
    members = set(
        matrix.in_year(Person.objects.filter(pk__in=[p.pk for p in people]), year).values_list(
            "pk", flat=True
        )
    )
    computed = matrix.compute([p.pk for p in people], context)
    quarter = next(n for n, q in enumerate(rules.quarters(year), 1) if q.contains(context.as_of))
    ended = [n for n, q in enumerate(rules.quarters(year), 1) if q.end < context.as_of]
    rows = sorted((p.name, p.pk, computed[p.pk]) for p in people if p.pk in members)
    at_risk = [
        r
        for r in rows
        if rules.Status.AT_RISK
        in (r[2].result.quarters[quarter - 1].status, r[2].result.year.status)
    ]
    missed = [
        r for r in rows if any(r[2].result.quarters[n - 1].status == "not_met" for n in ended)
    ]
    unsupervised = [r for r in rows if r[2].supervisor_id is None]
    return {
        "people": len(rows),
        "quarter": {
            s: sum(r[2].result.quarters[quarter - 1].status == s for r in rows) for s in STATUSES
        },
        "year": {s: sum(r[2].result.year.status == s for r in rows) for s in STATUSES},
        "lists": [
            [(name, pk) for name, pk, _ in chosen[:listed]]
            for chosen in (at_risk, missed, unsupervised)
        ],
        "list counts": [len(at_risk), len(missed), len(unsupervised)],
        "results": {pk: c.result for _, pk, c in rows},
    }


def stored(people_query, context: matrix.Context, listed: int) -> dict[str, object]:
    overview = matrix.overview(people_query, context, listed=listed)
    by_external_id = dict(Person.objects.values_list("external_id", "pk"))
    rows = matrix.build(
        people_query, start_year=context.start_year, as_of=context.as_of, policy=context.policy
    )
    return {
        "people": overview.people,
        "quarter": {s.value: n for s, n, _ in overview.summary},
        "year": {s.value: n for s, _, n in overview.summary},
        "lists": [
            [(p.name, by_external_id[p.external_id]) for p in chosen]
            for chosen in (overview.at_risk, overview.missed, overview.unsupervised)
        ],
        "list counts": [overview.at_risk_count, overview.missed_count, overview.unsupervised_count],
        "results": {row.person.pk: row.result for row in rows},
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(organisation=organisations())
def test_the_overview_counts_as_the_engine_does_on_generated_organisations(db, organisation):
    """Everyone's and some people's numbers (the two ways the SQL narrows to the people a user
    sees), stored and read back, against the engine's results counted in Python."""
    people_drawn, as_of, seen = organisation
    policy = current_policy()
    context = matrix.Context(2026, as_of, policy)
    with transaction.atomic():
        people = create(people_drawn)
        assert stored(Person.objects.all(), context, 2) == reference(
            list(Person.objects.all()), context, 2
        )
        some = [people[n] for n in sorted(seen)]
        query = Person.objects.filter(pk__in=[p.pk for p in some])
        assert stored(query, context, 2) == reference(some, context, 2)
        transaction.set_rollback(True)
