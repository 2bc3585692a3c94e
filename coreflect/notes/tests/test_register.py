"""The notes register (spec §4, audit KPI 1): which one-to-ones it lists, the state and dates
of their notes from the real actions, the deadlines from the policy in force, the page's
counts per supervisor and who may open it. Never note content."""

import datetime as dt
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coreflect.notes import access, actions, register, rules
from coreflect.notes.models import TEXT_FIELDS, ActionOwner, Notes, NotesEvent, NotesState
from coreflect.people.models import Role
from coreflect.policy.actions import change_policy
from coreflect.policy.models import PolicySettings
from coreflect.supervision import actions as supervision_actions
from coreflect.supervision.actions import create_one_to_one
from coreflect.supervision.models import Session
from coreflect.testing import make_person, supervise

LONDON = ZoneInfo("Europe/London")
# In every field of every set of notes the tests write: the register must never show it.
MARKER = "Zebra-Quince-4471"

THU_18_DEC = dt.date(2025, 12, 18)


# Making notes the way people do, on the days they do it.


def on(frozen_clock, day: dt.date, hour: int = 17) -> None:
    frozen_clock.move_to(dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON))


def held(supervisor, supervisee, day: dt.date, external_id: str | None = None) -> Session:
    """A one-to-one the supervisee attended (recorded after it took place)."""
    session = create_one_to_one(
        by=supervisor.user,
        lead=supervisor,
        supervisee=supervisee,
        date=day,
        start_time=dt.time(10, 0),
        duration_minutes=60,
        modality="in_person",
        location="Room 1",
    )
    if external_id is not None:
        Session.objects.filter(pk=session.pk).update(external_id=external_id)
        session.external_id = external_id
    return session


def lock(seat):
    """The notes' version, for the stale-edit lock (the seat has notes by now)."""
    return seat.notes.version


def write(frozen_clock, day, session, supervisor) -> Notes:
    """The supervisor writes (or revises) the notes, the marker in every text field, and adds
    an agreed action."""
    on(frozen_clock, day)
    seat = access.seat_at(supervisor.user, session.pk)
    notes = actions.save_draft(
        by=supervisor.user,
        seat=seat,
        version=seat.notes.version if seat.notes else 0,
        content={
            **{name: f"{MARKER} {name}" for name in TEXT_FIELDS},
            "reflection": [f"{MARKER} what", f"{MARKER} so what", f"{MARKER} now what"],
        },
    )
    seat = access.seat_at(supervisor.user, session.pk)
    actions.add_action(
        by=supervisor.user,
        seat=seat,
        version=lock(seat),
        text=f"{MARKER} action",
        owner=ActionOwner.SUPERVISEE,
        due=None,
    )
    actions.add_topic(by=supervisor.user, seat=seat, text=f"{MARKER} topic")
    return notes


def share(frozen_clock, day, session, supervisor) -> None:
    on(frozen_clock, day)
    seat = access.seat_at(supervisor.user, session.pk)
    actions.share(by=supervisor.user, seat=seat, version=lock(seat))


def answer(frozen_clock, day, session, supervisee, to: str) -> None:
    on(frozen_clock, day)
    seat = access.seat_at(supervisee.user, session.pk)
    if to == NotesState.CHANGES_REQUESTED:
        actions.propose_changes(
            by=supervisee.user,
            seat=seat,
            version=lock(seat),
            content={"wellbeing": f"{MARKER} changed by the supervisee"},
        )
        version = access.readable_versions(access.seat_at(supervisee.user, session.pk))[-1]
        actions.add_comment(by=supervisee.user, seat=seat, version=version, text=f"{MARKER} c")
    else:
        actions.answer(by=supervisee.user, seat=seat, version=lock(seat), to=to)


def deadlines() -> register.Deadlines:
    return register.Deadlines.of(PolicySettings.objects.current())


def entry_of(session: Session, as_of: dt.date) -> register.Entry:
    return register.for_sessions([session.pk], as_of=as_of, deadlines=deadlines())[session.pk]


def set_policy(**changes) -> None:
    policy = PolicySettings.objects.current()
    change_policy(by=None, policy=policy, version=policy.version, changes=changes)


# Which one-to-ones are held.


def test_register_lists_held_one_to_ones_only(frozen_clock, everyone):
    sam, alice, pat = everyone["sam"], everyone["alice"], everyone["pat"]
    on(frozen_clock, dt.date(2025, 12, 20))
    kept = held(sam, alice, THU_18_DEC)
    cancelled = held(sam, alice, dt.date(2025, 12, 17))
    supervision_actions.cancel_session(
        by=sam.user,
        session=cancelled,
        cancelled_by_side="supervisor",
        reason="Unwell",
        version=cancelled.version,
    )
    missed = held(sam, alice, dt.date(2025, 12, 16))
    supervision_actions.set_attendance_status(
        by=sam.user, session=missed, person=alice, status="did_not_attend", version=1
    )
    supervision_actions.create_co_reflection(
        by=pat.user,
        lead=pat,
        participants=[alice, sam],
        date=dt.date(2025, 12, 17),
        start_time=dt.time(13),
        duration_minutes=180,
        modality="video",
        location="",
    )
    later = held(sam, alice, dt.date(2025, 12, 19))
    found = register.entries(
        register.held_one_to_ones(dt.date(2025, 12, 18)), as_of=THU_18_DEC, deadlines=deadlines()
    )
    assert [e.session_id for e in found] == [kept.pk]
    assert later.pk in register.for_sessions(
        [later.pk], as_of=dt.date(2025, 12, 19), deadlines=deadlines()
    )


# Deadlines and states from the real actions.


def test_spec_example_notes_of_thursday_18_december_are_due_monday_29_december(
    frozen_clock, everyone
):
    on(frozen_clock, THU_18_DEC)
    session = held(everyone["sam"], everyone["alice"], THU_18_DEC)
    entry = entry_of(session, dt.date(2025, 12, 29))
    assert entry.state == NotesState.NOT_WRITTEN
    assert entry.clock.share_due == dt.date(2025, 12, 29)
    assert entry.clock.shared_on is None and entry.clock.response_due is None
    assert not entry.clock.overdue  # due that day: not overdue until the day after
    assert entry_of(session, dt.date(2025, 12, 30)).clock.overdue


def test_each_state_comes_from_the_actions_of_the_two(frozen_clock, everyone):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    sessions = {state: held(sam, alice, THU_18_DEC) for state in NotesState.values}
    for state, session in sessions.items():
        if state == NotesState.NOT_WRITTEN:
            continue
        write(frozen_clock, dt.date(2025, 12, 19), session, sam)
        if state == NotesState.DRAFT:
            continue
        share(frozen_clock, dt.date(2025, 12, 22), session, sam)
        if state != NotesState.SHARED:
            answer(frozen_clock, dt.date(2025, 12, 23), session, alice, state)
    found = register.for_sessions(
        [s.pk for s in sessions.values()], as_of=dt.date(2025, 12, 24), deadlines=deadlines()
    )
    assert {state: found[s.pk].state for state, s in sessions.items()} == {
        state: state for state in NotesState.values
    }
    accepted = found[sessions[NotesState.ACCEPTED].pk].clock
    assert accepted.shared_on == dt.date(2025, 12, 22)
    assert accepted.response_due == dt.date(2025, 12, 31)
    assert accepted.answered_on == accepted.accepted_on == dt.date(2025, 12, 23)
    assert found[sessions[NotesState.REVIEW_TOGETHER].pk].clock.accepted_on is None


def test_shared_on_is_the_first_sharing_and_the_answer_is_due_from_the_latest(
    frozen_clock, everyone
):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    session = held(sam, alice, THU_18_DEC)
    write(frozen_clock, dt.date(2025, 12, 19), session, sam)
    share(frozen_clock, dt.date(2025, 12, 22), session, sam)
    answer(frozen_clock, dt.date(2025, 12, 23), session, alice, NotesState.CHANGES_REQUESTED)
    write(frozen_clock, dt.date(2026, 1, 2), session, sam)
    share(frozen_clock, dt.date(2026, 1, 5), session, sam)
    clock = entry_of(session, dt.date(2026, 1, 5)).clock
    assert clock.state == NotesState.SHARED
    assert clock.shared_on == dt.date(2025, 12, 22) and not clock.shared_late
    assert clock.response_due == dt.date(2026, 1, 12)  # 5 working days after 5 January
    assert clock.answered_on is None  # the changes asked for answered the earlier sharing
    assert not entry_of(session, dt.date(2026, 1, 12)).clock.overdue
    assert entry_of(session, dt.date(2026, 1, 13)).clock.overdue


def test_overdue_either_way_and_not_once_answered(frozen_clock, everyone):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    late_share = held(sam, alice, THU_18_DEC)
    waiting = held(sam, alice, THU_18_DEC)
    answered = held(sam, alice, THU_18_DEC)
    for session in (late_share, waiting, answered):
        write(frozen_clock, dt.date(2025, 12, 19), session, sam)
    share(frozen_clock, dt.date(2025, 12, 22), waiting, sam)
    share(frozen_clock, dt.date(2025, 12, 22), answered, sam)
    answer(frozen_clock, dt.date(2026, 1, 7), answered, alice, NotesState.ACCEPTED)
    share(frozen_clock, dt.date(2026, 1, 6), late_share, sam)

    def clocks(day):
        found = register.for_sessions(
            [late_share.pk, waiting.pk, answered.pk], as_of=day, deadlines=deadlines()
        )
        return [found[s.pk].clock for s in (late_share, waiting, answered)]

    # 30 December: the draft is past its share deadline; the others are within theirs.
    assert [c.overdue for c in clocks(dt.date(2025, 12, 30))] == [True, False, False]
    # 2 January: the shared notes' answer was due on 31 December.
    assert [c.overdue for c in clocks(dt.date(2026, 1, 2))] == [True, True, True]
    late, still_waiting, done = clocks(dt.date(2026, 1, 8))
    assert late.shared_late and not late.overdue  # shared at last, its answer not due yet
    assert still_waiting.overdue
    assert not done.overdue and done.answered_late and done.accepted_on == dt.date(2026, 1, 7)


def test_an_earlier_day_shows_the_notes_as_they_were_then(frozen_clock, everyone):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    session = held(sam, alice, THU_18_DEC)
    write(frozen_clock, dt.date(2025, 12, 19), session, sam)
    share(frozen_clock, dt.date(2025, 12, 22), session, sam)
    answer(frozen_clock, dt.date(2025, 12, 29), session, alice, NotesState.ACCEPTED)
    on(frozen_clock, dt.date(2026, 11, 23))
    assert Notes.objects.get(session=session).state == NotesState.ACCEPTED
    then = {
        day: entry_of(session, day).clock
        for day in (
            dt.date(2025, 12, 18),
            dt.date(2025, 12, 19),
            dt.date(2025, 12, 23),
            dt.date(2026, 1, 1),
        )
    }
    assert [c.state for c in then.values()] == ["not_written", "draft", "shared", "accepted"]
    assert then[dt.date(2025, 12, 19)].shared_on is None
    assert then[dt.date(2025, 12, 23)].accepted_on is None
    assert then[dt.date(2026, 1, 1)].accepted_on == dt.date(2025, 12, 29)


def test_a_policy_change_moves_every_deadline(frozen_clock, everyone):
    on(frozen_clock, THU_18_DEC)
    session = held(everyone["sam"], everyone["alice"], THU_18_DEC)
    set_policy(notes_share_working_days=7)
    # 19, 22, 23, 24, 29, 30, 31 December.
    assert entry_of(session, THU_18_DEC).clock.share_due == dt.date(2025, 12, 31)


def test_scotland_keeps_2_january_as_a_bank_holiday(frozen_clock, everyone):
    on(frozen_clock, dt.date(2025, 12, 24))
    session = held(everyone["sam"], everyone["alice"], dt.date(2025, 12, 24))
    # England and Wales: 29, 30, 31 December, 2 and 5 January.
    assert entry_of(session, dt.date(2025, 12, 24)).clock.share_due == dt.date(2026, 1, 5)
    set_policy(holiday_region="scotland")
    # Scotland: 2 January is a bank holiday too.
    assert entry_of(session, dt.date(2025, 12, 24)).clock.share_due == dt.date(2026, 1, 6)


# The SQL against a plain reading of the events.

STATES = list(register.EVENT_STATES)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    histories=st.lists(
        st.lists(st.tuples(st.sampled_from(STATES), st.integers(0, 30)), max_size=6),
        min_size=3,
        max_size=3,
    ),
    as_of_offset=st.integers(0, 35),
)
def test_the_register_query_reads_the_events_as_a_plain_reading_does(
    everyone, histories, as_of_offset
):
    """Any sequence of events, valid moves or not, at any as-of day: the state is that of
    the latest event up to the day; shared_on the first sharing, the answer's deadline from
    the latest, the answer and acceptance dates those of the latest up to the day."""
    sam, alice = everyone["sam"], everyone["alice"]
    NotesEvent.objects.all().delete()
    Notes.objects.all().delete()
    Session.objects.all().delete()
    sessions = [held(sam, alice, dt.date(2026, 10, 1)) for _ in histories]
    as_of = dt.date(2026, 10, 1) + dt.timedelta(days=as_of_offset)
    for session, history in zip(sessions, histories, strict=True):
        if not history:
            continue
        notes = Notes.objects.create(session=session, state=history[-1][0])
        for n, (state, offset) in enumerate(sorted(history, key=lambda event: event[1])):
            day = session.date + dt.timedelta(days=offset)
            NotesEvent.objects.create(
                notes=notes,
                state=state,
                on=day,
                at=dt.datetime.combine(day, dt.time(9, n), tzinfo=dt.UTC),
            )
    found = register.for_sessions([s.pk for s in sessions], as_of=as_of, deadlines=deadlines())
    for session, history in zip(sessions, histories, strict=True):
        seen = [
            (state, session.date + dt.timedelta(days=offset))
            for state, offset in sorted(history, key=lambda event: event[1])
            if session.date + dt.timedelta(days=offset) <= as_of
        ]
        state = seen[-1][0] if seen else "not_written"
        shared = [day for s, day in seen if s == "shared"]
        answers = [day for s, day in seen if s in rules.ANSWERS]
        accepted = [day for s, day in seen if s == "accepted"]
        clock = found[session.pk].clock
        assert clock.state == state
        assert clock.shared_on == (min(shared) if shared else None)
        assert clock.response_due == (deadlines().response_due(max(shared)) if shared else None)
        assert clock.answered_on == (max(answers) if state in rules.ANSWERS else None)
        assert clock.accepted_on == (max(accepted) if state == "accepted" else None)


def test_lines_and_tallies_agree_with_the_entries(frozen_clock, everyone):
    sam, alice, sue, olly = everyone["sam"], everyone["alice"], everyone["sue"], everyone["olly"]
    on(frozen_clock, THU_18_DEC)
    a, b = held(sam, alice, THU_18_DEC, "S2"), held(sue, olly, THU_18_DEC, "S1")
    c = held(sam, alice, dt.date(2025, 12, 1))
    write(frozen_clock, dt.date(2025, 12, 19), a, sam)
    share(frozen_clock, dt.date(2025, 12, 31), a, sam)
    write(frozen_clock, dt.date(2025, 12, 19), b, sue)
    as_of = dt.date(2026, 1, 12)
    sessions = register.held_one_to_ones(as_of)
    found = register.entries(sessions, as_of=as_of, deadlines=deadlines())
    assert [e.shown_id for e in found] == [f"#{c.pk}", "S1", "S2"]
    assert list(register.lines(sessions, as_of=as_of, deadlines=deadlines())) == [
        register.line(e) for e in found
    ]
    tallies = register.tallies(sessions, as_of=as_of, deadlines=deadlines())
    sams = tallies[sam.pk]
    assert (sams.held, sams.not_written, sams.shared_late, sams.waiting, sams.overdue) == (
        2,
        1,
        1,
        1,
        2,
    )
    assert (sams.share_overdue, sams.response_overdue, sams.shared_on_time) == (1, 1, 0)
    sues = tallies[sue.pk]
    assert (sues.held, sues.not_written, sues.not_shared, sues.overdue) == (1, 0, 1, 1)


def test_the_register_is_one_query_however_many_sessions(
    frozen_clock, everyone, django_assert_num_queries
):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    for n in range(5):
        session = held(sam, alice, THU_18_DEC - dt.timedelta(days=n))
        write(frozen_clock, THU_18_DEC, session, sam)
    sessions, d = register.held_one_to_ones(THU_18_DEC), deadlines()
    with django_assert_num_queries(1):
        assert len(register.entries(sessions, as_of=THU_18_DEC, deadlines=d)) == 5
    with django_assert_num_queries(1):
        assert len(list(register.lines(sessions, as_of=THU_18_DEC, deadlines=d))) == 5
    with django_assert_num_queries(1):
        assert register.tallies(sessions, as_of=THU_18_DEC, deadlines=d)[sam.pk].held == 5


# The page.

PAGE = "/notes/register/"


def notes_everywhere(frozen_clock, everyone) -> dict[str, Session]:
    """Sam's one-to-ones with Alice (North) and Sue's with Olly (South), as of 12 January
    2026: Sam has one overdue, Sue two."""
    sam, alice, sue, olly = everyone["sam"], everyone["alice"], everyone["sue"], everyone["olly"]
    on(frozen_clock, THU_18_DEC)
    made = {
        "sam_accepted": held(sam, alice, THU_18_DEC, "S1"),
        "sam_unwritten": held(sam, alice, dt.date(2025, 12, 1), "S2"),
        "sue_waiting": held(sue, olly, THU_18_DEC, "S3"),
        "sue_draft": held(sue, olly, dt.date(2025, 12, 2), "S4"),
    }
    write(frozen_clock, dt.date(2025, 12, 19), made["sam_accepted"], sam)
    share(frozen_clock, dt.date(2025, 12, 22), made["sam_accepted"], sam)
    answer(frozen_clock, dt.date(2025, 12, 23), made["sam_accepted"], alice, "accepted")
    write(frozen_clock, dt.date(2025, 12, 19), made["sue_waiting"], sue)
    share(frozen_clock, dt.date(2026, 1, 2), made["sue_waiting"], sue)  # late
    write(frozen_clock, dt.date(2025, 12, 3), made["sue_draft"], sue)
    on(frozen_clock, dt.date(2026, 11, 23), hour=10)
    return made


@pytest.mark.parametrize("who", ["hana", "gus"])
def test_head_of_peer_work_and_governance_see_every_supervisor(frozen_clock, login, everyone, who):
    notes_everywhere(frozen_clock, everyone)
    response = login(everyone[who]).get(PAGE, {"as_of": "2026-01-12"})
    assert response.status_code == 200
    rows = response.context["rows"]
    # Most overdue first: Sue (2) before Sam (1).
    assert [(r.name, r.tally.held, r.tally.overdue) for r in rows] == [
        ("Sue South", 2, 2),
        ("Sam Senior", 2, 1),
    ]
    sue, sam = rows
    assert (sue.tally.shared_late, sue.tally.waiting, sue.tally.not_written) == (1, 1, 0)
    assert (sam.tally.shared_on_time, sam.tally.answered_on_time, sam.tally.not_written) == (
        1,
        1,
        1,
    )
    text = response.text
    assert "as of 12 January 2026" in text
    assert sue.words == (
        "2 held one-to-ones: notes of 0 not written and 1 written but not shared yet; 1 shared "
        "(0 by the deadline, 1 after it); 1 waiting for the supervisee's answer; 0 answered "
        "(0 by the deadline, 0 after it). 2 overdue now: 1 not shared by the deadline, 1 "
        "waiting past the answer's deadline."
    )
    assert "2 held one-to-ones: notes of 0 not written and 1 written but not shared" in text
    assert "4 held one-to-ones" in response.context["total_words"]
    assert "<strong>3 overdue</strong>" in text  # the total


def test_service_leads_see_the_one_to_ones_of_their_own_service_only(
    frozen_clock, login, everyone, south
):
    notes_everywhere(frozen_clock, everyone)
    client = login(everyone["pat"])  # North's peer lead
    response = client.get(PAGE, {"as_of": "2026-01-12"})
    assert [r.name for r in response.context["rows"]] == ["Sam Senior"]
    assert "Supervisees in North, your service." in response.text
    assert 'name="service"' not in response.text
    # Asking for another service changes nothing.
    other = client.get(PAGE, {"as_of": "2026-01-12", "service": south.service_id})
    assert [r.name for r in other.context["rows"]] == ["Sam Senior"]


def test_a_service_lead_outside_any_service_sees_no_one(login, db):
    lead = make_person("COORD", "Cory Ordinate", Role.PEER_COORDINATOR)
    response = login(lead).get(PAGE)
    assert response.status_code == 200
    assert "You are not in a service" in response.text


def test_the_service_filter_narrows_to_supervisees_of_that_service(
    frozen_clock, login, everyone, south
):
    notes_everywhere(frozen_clock, everyone)
    response = login(everyone["hana"]).get(
        PAGE, {"as_of": "2026-01-12", "service": south.service_id}
    )
    assert [r.name for r in response.context["rows"]] == ["Sue South"]
    assert "for supervisees in South" in response.text


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "ada", "olly", "sue"])
def test_register_without_permission_is_404(login, everyone, who):
    client = login(everyone[who])
    assert client.get(PAGE).status_code == 404
    assert client.get("/notes/register.csv").status_code == 404


def test_register_signed_out_goes_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_navigation_links_the_register_for_those_who_may_open_it(login, everyone):
    assert ">Notes register</a>" in login(everyone["hana"]).get("/").text
    assert ">Notes register</a>" in login(everyone["pat"]).get("/").text
    assert "Notes register" not in login(everyone["sam"]).get("/").text


def test_the_as_of_date_defaults_to_today_and_a_bad_one_is_explained(login, everyone):
    client = login(everyone["hana"])
    assert client.get(PAGE).context["as_of"] == dt.date(2026, 11, 23)
    response = client.get(PAGE, {"as_of": "2026-02-30"})
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date(2026, 11, 23)
    assert "There is a problem" in response.text
    assert '<a href="#id_as_of">Enter a valid date.</a>' in response.text
    assert response.text.count("<title>Error: Notes register") == 1


def test_the_page_never_shows_note_content(frozen_clock, login, everyone):
    notes_everywhere(frozen_clock, everyone)
    for who in ("hana", "pat"):
        client = login(everyone[who])
        for day in ("2026-01-12", "2025-12-20", ""):
            page = client.get(PAGE, {"as_of": day})
            assert MARKER not in page.text
            download = client.get("/notes/register.csv", {"as_of": day})
            assert MARKER not in b"".join(download.streaming_content).decode()
    assert Notes.objects.count() == 3  # the marker is there to be missed


def test_the_download_has_the_rows_the_command_prints(frozen_clock, login, everyone, south):
    from io import StringIO

    from django.core.management import call_command

    notes_everywhere(frozen_clock, everyone)
    response = login(everyone["hana"]).get(
        "/notes/register.csv", {"as_of": "2026-01-12", "service": south.service_id}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "notes-register-as-of-2026-01-12-south.csv" in response["Content-Disposition"]
    out = StringIO()
    call_command(
        "notes-register",
        "--as-of",
        "2026-01-12",
        "--format",
        "csv",
        "--service",
        "South",
        stdout=out,
    )
    assert b"".join(response.streaming_content).decode() == out.getvalue()
    assert out.getvalue().splitlines()[1:] == [
        "S4,2025-12-02,SUE,OLLY,draft,2025-12-09,,,,true",
        "S3,2025-12-18,SUE,OLLY,shared,2025-12-29,2026-01-02,2026-01-09,,true",
    ]


class Parts(HTMLParser):
    """Labels, captions and the ids of form fields, to check the page is labelled."""

    def __init__(self) -> None:
        super().__init__()
        self.label_for: list[str] = []
        self.fields: list[str] = []
        self.captions = 0
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label":
            self.label_for.append(attributes.get("for") or "")
        if tag in ("input", "select") and attributes.get("type") != "hidden":
            self.fields.append(attributes.get("id") or "")
        if tag == "caption":
            self.captions += 1
        if tag not in ("input", "br", "meta", "link", "img", "path"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("input", "br", "meta", "link", "img", "path"):
            return
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def test_the_page_labels_its_fields_captions_its_table_and_nests_its_tags(
    frozen_clock, login, everyone
):
    notes_everywhere(frozen_clock, everyone)
    parts = Parts()
    parts.feed(login(everyone["hana"]).get(PAGE, {"as_of": "2026-01-12"}).text)
    assert parts.fields == ["id_as_of", "id_service"]
    assert set(parts.fields) <= set(parts.label_for)
    assert parts.captions == 1
    assert parts.open == []


def test_supervisors_come_a_page_at_a_time(frozen_clock, login, everyone, north):
    on(frozen_clock, THU_18_DEC)
    for n in range(52):
        supervisor = make_person(f"SUP{n:02d}", f"Supervisor {n:02d}", Role.SENIOR_PEER_WORKER)
        worker = make_person(f"W{n:02d}", f"Worker {n:02d}", Role.PEER_WORKER, locality=north)
        supervise(supervisor, worker)
        held(supervisor, worker, THU_18_DEC)
    client = login(everyone["hana"])
    first = client.get(PAGE, {"as_of": "2025-12-18"})
    assert len(first.context["rows"]) == 50
    assert "Supervisors 1 to 50 of 52" in first.text
    assert 'href="?as_of=2025-12-18&amp;page=2"' in first.text
    second = client.get(PAGE, {"as_of": "2025-12-18", "page": "2"})
    assert [r.name for r in second.context["rows"]] == ["Supervisor 50", "Supervisor 51"]


def test_the_page_makes_as_many_queries_for_many_supervisors_as_for_one(
    frozen_clock, client, everyone, north
):
    client.force_login(everyone["hana"].user)

    def add(n):
        for i in range(n):
            supervisor = make_person(f"S{n}{i}", f"Sup {n} {i}", Role.PEER_PRACTITIONER)
            worker = make_person(f"W{n}{i}", f"Worker {n} {i}", Role.PEER_WORKER, locality=north)
            supervise(supervisor, worker)
            on(frozen_clock, THU_18_DEC)
            for day in (THU_18_DEC, dt.date(2025, 12, 1)):
                session = held(supervisor, worker, day)
                write(frozen_clock, THU_18_DEC, session, supervisor)
        on(frozen_clock, dt.date(2026, 11, 23), hour=10)

    def count(**query):
        client.get(PAGE, query)  # the first reads may create the policy row
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE, query)
        return response, len(queries)

    add(1)
    few = [count(), count(service=north.service_id)]
    add(8)
    many = [count(), count(service=north.service_id)]
    assert many[0][0].context["total"].held == 18
    assert [n for _, n in few] == [n for _, n in many]
