"""The rules of a person's record: the same checks of an ID, a name and an email as the import
(checked against the import itself, on generated values), the placement history a move keeps,
and which starts and leaving dates may be recorded."""

import csv
import datetime as dt
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coreflect.imports import rules as import_rules
from coreflect.people import rules
from coreflect.people.rules import Move, Refused

TODAY = dt.date(2026, 11, 23)


def import_problems(column: str, value: str) -> list[str]:
    """The import's problems with one people.csv row that has `value` in `column`. Both the
    import and the pages' forms strip what surrounds a value, so the rules are compared on
    values already stripped."""
    row = {"person_id": "P1", "name": "A Name", "email": "", "role": "peer_worker"}
    row[column] = value
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(import_rules.COLUMNS["people.csv"])
    writer.writerow([row.get(c, "") for c in import_rules.COLUMNS["people.csv"]])
    _, errors = import_rules.parse(
        {"people.csv": out.getvalue().splitlines(keepends=True)}, import_rules.Known()
    )
    return [e for e in errors if f": {column} " in e]


# Letters the rules treat differently: allowed in an ID, punctuation, spaces, a control
# character, an at sign and a dot for emails, and a letter outside ASCII.
SOME = st.text(alphabet="aZ09._-@ ,\"'/\t\x00é", max_size=8)
LONG = st.integers(60, 70).map(lambda n: "a" * n)


@given(st.one_of(SOME, LONG))
@example(".")
@example("..")
@example("")
@example("A" * 64)
@example("A" * 65)
def test_a_person_id_is_refused_exactly_when_an_import_would(value):
    value = value.strip()
    assert (rules.person_id_problem(value) is None) == (not import_problems("person_id", value))


@given(st.one_of(SOME, st.integers(195, 205).map(lambda n: "n" * n)))
@example("")
@example("Ann\tTab")
def test_a_name_is_refused_exactly_when_an_import_would(value):
    value = value.strip()
    assert (rules.name_problem(value) is None) == (not import_problems("name", value))


def test_a_name_on_a_page_is_one_line_though_an_imported_one_may_span_two():
    assert rules.name_problem("Ann\nOther") is not None
    assert not import_problems("name", "Ann\nOther")


@given(st.one_of(SOME, st.builds(lambda n: "a" * n + "@example.nhs.uk", st.integers(235, 245))))
@example("ann@example.nhs.uk")
@example("ann@example")
@example("ann@@example.nhs.uk")
@example("ann@example.nhs.uk.")
def test_an_email_is_refused_exactly_when_an_import_would(value):
    value = value.strip()
    assert (rules.email_problem(value) is None) == (not import_problems("email", value))


# Moves of role or team.

FIRST = dt.date(2025, 4, 1)


def test_a_move_after_the_current_placement_began_splits_it():
    assert rules.move((FIRST, None), dt.date(2026, 11, 1), TODAY) is Move.SPLIT


def test_a_move_on_the_day_the_placement_began_corrects_it():
    assert rules.move((FIRST, None), FIRST, TODAY) is Move.CORRECT


def test_a_placement_that_has_not_begun_is_corrected_whatever_the_date():
    assert rules.move((TODAY + dt.timedelta(days=7), None), TODAY, TODAY) is Move.CORRECT


def test_someone_without_a_placement_gets_their_first():
    assert rules.move(None, TODAY, TODAY) is Move.OPEN


@pytest.mark.parametrize(
    ("current", "effective", "says"),
    [
        ((FIRST, None), FIRST - dt.timedelta(days=1), "cannot start before that"),
        ((FIRST, None), TODAY + dt.timedelta(days=1), "not later"),
        ((FIRST, dt.date(2026, 6, 30)), dt.date(2026, 7, 1), "They left on 30 June 2026"),
    ],
)
def test_a_move_before_the_placement_after_a_leaving_date_or_ahead_is_refused(
    current, effective, says
):
    with pytest.raises(Refused, match=says) as refused:
        rules.move(current, effective, TODAY)
    assert refused.value.field == "effective"


def test_a_move_on_the_leaving_date_itself_is_allowed():
    assert rules.move((FIRST, dt.date(2026, 12, 31)), TODAY, TODAY) is Move.SPLIT


# Starts and leaving dates.


def test_a_start_after_every_period_has_ended_is_allowed():
    periods = [(dt.date(2020, 1, 1), dt.date(2021, 1, 1)), (dt.date(2022, 1, 1), TODAY)]
    assert rules.start_problem(periods, TODAY + dt.timedelta(days=1)) is None


def test_a_start_while_a_period_goes_on_is_refused():
    assert "still going on" in rules.start_problem([(FIRST, None)], TODAY)


@pytest.mark.parametrize("start", [FIRST, dt.date(2025, 6, 30), dt.date(2025, 1, 1)])
def test_a_start_that_overlaps_or_comes_before_an_ended_period_is_refused(start):
    assert "overlaps" in rules.start_problem([(FIRST, dt.date(2025, 6, 30))], start)


def test_a_leaving_date_before_the_start_is_refused_and_the_first_day_is_allowed():
    assert rules.leaving_problem(FIRST, FIRST, "employment") is None
    problem = rules.leaving_problem(FIRST, FIRST - dt.timedelta(days=1), "employment")
    assert problem.startswith("The leaving date is before 1 April 2025, when their employment")


# Line management circles.


def test_a_line_manager_who_reports_to_the_person_however_indirectly_makes_a_circle():
    managers = {2: 3, 3: 1}  # 2 reports to 3, who reports to 1
    assert rules.makes_circle(1, 2, managers.get)
    assert not rules.makes_circle(1, 4, managers.get)
    assert not rules.makes_circle(1, None, managers.get)


def test_a_circle_among_others_does_not_stop_the_walk_forever():
    managers = {2: 3, 3: 2}
    assert not rules.makes_circle(1, 2, managers.get)
