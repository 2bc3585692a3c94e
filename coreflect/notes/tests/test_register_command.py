"""`coreflect notes-register`: the register's JSON and CSV, exactly as docs/notes.md gives
them, its filters and its errors."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coreflect.notes import register
from coreflect.notes.models import NotesState
from coreflect.notes.tests.test_register import (
    MARKER,
    THU_18_DEC,
    answer,
    held,
    on,
    share,
    write,
)


def notes_register(*args: str) -> str:
    out = StringIO()
    call_command("notes-register", *args, stdout=out)
    return out.getvalue()


def as_json(*args: str) -> dict:
    return json.loads(notes_register("--format", "json", *args))


@pytest.fixture
def spec_example(frozen_clock, everyone):
    """S00001: Sam's one-to-one with Alice on Thursday 18 December 2025, shared on Monday 22
    December; then S00002 with Olly's supervisor Sue, not written."""
    on(frozen_clock, THU_18_DEC)
    first = held(everyone["sam"], everyone["alice"], THU_18_DEC, "S00001")
    write(frozen_clock, dt.date(2025, 12, 19), first, everyone["sam"])
    share(frozen_clock, dt.date(2025, 12, 22), first, everyone["sam"])
    on(frozen_clock, dt.date(2025, 12, 23))
    second = held(everyone["sue"], everyone["olly"], dt.date(2025, 12, 23), "S00002")
    on(frozen_clock, dt.date(2026, 11, 23), hour=10)
    return first, second


def test_json_is_exactly_the_documented_shape(spec_example):
    text = notes_register("--as-of", "2025-12-30", "--format", "json")
    assert text.startswith('{"as_of": "2025-12-30", "sessions": [\n{"session_id": "S00001", ')
    assert json.loads(text) == {
        "as_of": "2025-12-30",
        "sessions": [
            {
                "session_id": "S00001",
                "date": "2025-12-18",
                "supervisor_id": "SAM",
                "supervisee_id": "ALICE",
                "notes_state": "shared",
                "share_due": "2025-12-29",
                "shared_on": "2025-12-22",
                "response_due": "2025-12-31",
                "accepted_on": None,
                "overdue": False,
            },
            {
                "session_id": "S00002",
                "date": "2025-12-23",
                "supervisor_id": "SUE",
                "supervisee_id": "OLLY",
                "notes_state": "not_written",
                "share_due": "2026-01-02",
                "shared_on": None,
                "response_due": None,
                "accepted_on": None,
                "overdue": False,
            },
        ],
    }
    for session in json.loads(text)["sessions"]:
        assert list(session) == list(register.COLUMNS)


def test_csv_has_the_same_columns_empty_for_null_and_true_or_false(spec_example):
    assert notes_register("--as-of", "2026-01-10", "--format", "csv").splitlines() == [
        "session_id,date,supervisor_id,supervisee_id,notes_state,share_due,shared_on,"
        "response_due,accepted_on,overdue",
        "S00001,2025-12-18,SAM,ALICE,shared,2025-12-29,2025-12-22,2025-12-31,,true",
        "S00002,2025-12-23,SUE,OLLY,not_written,2026-01-02,,,,true",
    ]


def test_accepted_notes_give_their_acceptance_date(frozen_clock, spec_example, everyone):
    first, _ = spec_example
    answer(frozen_clock, dt.date(2026, 1, 5), first, everyone["alice"], NotesState.ACCEPTED)
    sessions = as_json("--as-of", "2026-01-05")["sessions"]
    assert sessions[0]["notes_state"] == "accepted"
    assert sessions[0]["accepted_on"] == "2026-01-05"
    assert sessions[0]["overdue"] is False
    assert as_json("--as-of", "2026-01-02")["sessions"][0]["accepted_on"] is None


def test_an_empty_register_is_valid_json(db):
    assert notes_register("--as-of", "2026-01-10") == '{"as_of": "2026-01-10", "sessions": []}\n'
    assert notes_register("--as-of", "2026-01-10", "--format", "csv").splitlines() == [
        ",".join(register.COLUMNS)
    ]


@pytest.mark.parametrize("count", [1, 999, 1000, 1001, 2500])
def test_json_written_in_pieces_is_valid_whatever_the_number_of_rows(count):
    row = (
        "S1",
        dt.date(2026, 1, 1),
        "A",
        "B",
        "draft",
        dt.date(2026, 1, 8),
        None,
        None,
        None,
        True,
    )
    chunks = list(register.json_chunks([row] * count, as_of=dt.date(2026, 1, 10), batch=1000))
    assert len(chunks) == 2 + (count + 999) // 1000  # never one string for everything
    parsed = json.loads("".join(chunks))
    assert len(parsed["sessions"]) == count
    assert parsed["sessions"][-1]["share_due"] == "2026-01-08"


def test_as_of_defaults_to_today(spec_example):
    assert as_json()["as_of"] == "2026-11-23"


def test_order_is_by_date_then_session_id_and_sessions_without_one_come_last(
    frozen_clock, everyone
):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    recorded = held(sam, alice, THU_18_DEC)  # recorded in Coreflect: no import id
    held(sam, alice, THU_18_DEC, "S-B")
    held(sam, alice, THU_18_DEC, "S-A")
    held(sam, alice, dt.date(2025, 12, 1), "S-Z")
    ids = [s["session_id"] for s in as_json("--as-of", "2025-12-18")["sessions"]]
    assert ids == ["S-Z", "S-A", "S-B", f"#{recorded.pk}"]


def test_service_and_supervisor_filters(spec_example):
    assert [s["session_id"] for s in as_json("--service", "South")["sessions"]] == ["S00002"]
    assert [s["session_id"] for s in as_json("--service", "North")["sessions"]] == ["S00001"]
    assert [s["session_id"] for s in as_json("--supervisor", "SAM")["sessions"]] == ["S00001"]
    assert as_json("--supervisor", "SAM", "--service", "South")["sessions"] == []
    assert as_json("--supervisor", "ALICE")["sessions"] == []  # a person who led none


def test_unknown_service_supervisor_or_bad_date_is_a_clear_error(spec_example):
    with pytest.raises(CommandError, match=r'No service is called "West" \(the services are: '):
        notes_register("--service", "West")
    with pytest.raises(CommandError, match='No person has the ID "NOBODY"'):
        notes_register("--supervisor", "NOBODY")
    with pytest.raises(CommandError, match="'2026-13-01' is not a date: write it as YYYY-MM-DD"):
        notes_register("--as-of", "2026-13-01")
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        notes_register("--format", "xml")


def test_policy_set_moves_share_due_to_seven_working_days(spec_example):
    call_command("policy", "set", "notes_share_working_days=7", stdout=StringIO())
    sessions = as_json("--as-of", "2025-12-30")["sessions"]
    assert [s["share_due"] for s in sessions] == ["2025-12-31", "2026-01-06"]
    call_command("policy", "set", "holiday_region=scotland", stdout=StringIO())
    # 24, 29, 30, 31 December, 5, 6 January, 7 January (2 January is a bank holiday there).
    assert as_json("--as-of", "2025-12-30")["sessions"][1]["share_due"] == "2026-01-07"


def test_the_output_never_holds_note_content(frozen_clock, spec_example, everyone):
    first, second = spec_example
    write(frozen_clock, dt.date(2025, 12, 24), second, everyone["sue"])
    answer(frozen_clock, dt.date(2025, 12, 24), first, everyone["alice"], "changes_requested")
    on(frozen_clock, dt.date(2026, 11, 23), hour=10)
    for day in ("2025-12-22", "2025-12-24", "2026-11-23"):
        for form in ("json", "csv"):
            assert MARKER not in notes_register("--as-of", day, "--format", form)


def test_the_command_makes_as_many_queries_for_many_sessions_as_for_one(
    frozen_clock, everyone, django_assert_max_num_queries
):
    sam, alice = everyone["sam"], everyone["alice"]
    on(frozen_clock, THU_18_DEC)
    held(sam, alice, THU_18_DEC, "S0")
    notes_register()  # creates the policy row
    with django_assert_max_num_queries(10) as one:
        notes_register("--service", "North", "--supervisor", "SAM")
    for n in range(1, 8):
        write(frozen_clock, THU_18_DEC, held(sam, alice, THU_18_DEC, f"S{n}"), sam)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(as_json("--service", "North", "--supervisor", "SAM")["sessions"]) == 8
