"""The checks on the files, without a database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coreflect.imports import rules
from coreflect.imports.tests.samples import GOOD, varied
from coreflect.people.models import AbsenceType, Locality, Person, Role, Service
from coreflect.supervision.models import (
    AttendanceStatus,
    Modality,
    RelationshipType,
    Session,
    SessionKind,
)

ROLE_LIST = (
    "head_of_peer_work, peer_lead, peer_coordinator, senior_peer_worker, peer_practitioner, "
    "peer_worker, peer_support_worker, line_manager, executive_director, governance, admin"
)


def check(files: dict[str, str], known: rules.Known | None = None) -> list[str]:
    lines = {name: text.splitlines(keepends=True) for name, text in files.items()}
    return rules.parse(lines, known or rules.Known())[1]


def parse(files: dict[str, str], known: rules.Known | None = None) -> rules.Parsed:
    parsed, errors = rules.parse(
        {name: text.splitlines(keepends=True) for name, text in files.items()},
        known or rules.Known(),
    )
    assert errors == []
    return parsed


def test_good_files_have_no_problems_and_every_row_is_read():
    parsed = parse(GOOD)
    assert parsed.rows == {
        "people.csv": 4,
        "employment.csv": 3,
        "supervision.csv": 2,
        "absences.csv": 1,
        "sessions.csv": 2,
        "attendance.csv": 2,
    }
    assert parsed.people["P01"] == rules.PersonRow(
        "Jo Bell", "jo.bell@example.nhs.uk", "peer_worker", "Adult", "Durham", "M01"
    )
    assert parsed.employment["P02", dt.date(2020, 1, 1)] == dt.date(2024, 12, 31)
    assert parsed.employment["P01", dt.date(2025, 5, 15)] is None
    assert parsed.sessions["S1"] == rules.SessionRow(
        "one_to_one", dt.date(2025, 6, 2), dt.time(10, 0), 60, "P02", "in_person", "Room 1"
    )
    assert parsed.attendance["S2", "P01"] == "apologies"


def test_the_first_data_row_is_line_2_and_a_bad_role_lists_every_role():
    files = varied(people=("peer_worker,Adult", "peer wrker,Adult"))
    assert check(files) == [f'people.csv:2: role "peer wrker" is not one of: {ROLE_LIST}']


def test_the_vocabularies_are_the_models_choices():
    assert rules.ROLES == tuple(Role.values)
    assert rules.RELATIONSHIP_TYPES == tuple(RelationshipType.values)
    assert rules.ABSENCE_TYPES == tuple(AbsenceType.values)
    assert rules.SESSION_KINDS == tuple(SessionKind.values)
    assert rules.MODALITIES == tuple(Modality.values)
    assert rules.ATTENDANCE_STATUSES == tuple(AttendanceStatus.values)


def test_the_length_limits_are_the_models():
    fields = {
        "person_id": Person._meta.get_field("external_id"),
        "name": Person._meta.get_field("name"),
        "email": Person._meta.get_field("email"),
        "service": Service._meta.get_field("name"),
        "locality": Locality._meta.get_field("name"),
        "session_id": Session._meta.get_field("external_id"),
        "location": Session._meta.get_field("location"),
    }
    assert rules.MAX_LENGTH == {column: f.max_length for column, f in fields.items()}


# The header.


def test_a_missing_column_is_reported_on_line_1_and_the_rows_are_not_checked():
    errors = check({"employment.csv": "person_id,end_date\nP404,2025-01-01\n"})
    assert errors == ['employment.csv:1: missing column "start_date"']


def test_an_unknown_column_is_reported_on_line_1():
    text = "person_id,start_date,end_date,notes\nP01,2025-01-01,,\n"
    errors = check({"employment.csv": text}, rules.Known(person_ids=frozenset({"P01"})))
    assert errors == [
        'employment.csv:1: unknown column "notes" (the columns are: person_id, start_date, '
        "end_date)"
    ]


def test_a_column_named_twice_is_reported():
    errors = check({"attendance.csv": "session_id,person_id,status,status\n"})
    assert errors == ['attendance.csv:1: column "status" appears more than once']


def test_an_empty_file_needs_its_header():
    assert check({"absences.csv": ""}) == [
        "absences.csv:1: the file is empty: it needs the header row "
        "person_id,type,start_date,end_date"
    ]


def test_columns_may_come_in_any_order():
    text = "status,person_id,session_id\nattended,P01,S1\n"
    parsed = parse({**GOOD, "attendance.csv": text})
    assert parsed.attendance == {("S1", "P01"): "attended"}


def test_a_header_with_a_byte_order_mark_and_spaces_is_read():
    parse({**GOOD, "employment.csv": "\ufeffperson_id, start_date ,end_date\nP01,2025-05-15,\n"})


def test_a_file_that_is_not_an_import_file_is_refused():
    assert check({"staff.csv": "a,b\n"}) == [
        "staff.csv:1: not one of the import files (people.csv, employment.csv, "
        "supervision.csv, absences.csv, sessions.csv, attendance.csv)"
    ]


# Each kind of problem, with its file and line.


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"people": ("G01,Gina", ",Gina")}, "people.csv:5: person_id is blank"),
        ({"people": ("P01,Jo Bell,", "P01,,")}, "people.csv:2: name is blank"),
        ({"people": (",peer_worker,", ",,")}, "people.csv:2: role is blank"),
        (
            {"people": ("jo.bell@example.nhs.uk", "jo.bell")},
            'people.csv:2: email "jo.bell" is not an email address',
        ),
        (
            {"people": ("jo.bell@example.nhs.uk", "jo bell@example.nhs.uk")},
            'people.csv:2: email "jo bell@example.nhs.uk" is not an email address',
        ),
        (
            {"people": ("P01,Jo Bell", "P01," + "J" * 201)},
            "people.csv:2: name is longer than 200 characters",
        ),
        (
            {"people": ("peer_worker,Adult,Durham", "peer_worker,,Durham")},
            'people.csv:2: locality "Durham" is given without a service',
        ),
        (
            {"people": ("line_manager,Adult,Durham,", "line_manager,Adult,Durham,M01")},
            "people.csv:4: a person cannot be their own line manager",
        ),
        (
            {"people": ("Durham,M01\nP02", "Durham,M99\nP02")},
            'people.csv:2: line_manager_id "M99" is not a known person '
            "(not in people.csv nor imported before)",
        ),
        (
            {"employment": ("P01,2025-05-15,", "P01,2025-13-01,")},
            'employment.csv:2: start_date "2025-13-01" is not a date (YYYY-MM-DD)',
        ),
        (
            {"employment": ("P01,2025-05-15,", "P01,15/05/2025,")},
            'employment.csv:2: start_date "15/05/2025" is not a date (YYYY-MM-DD)',
        ),
        (
            {"employment": ("P01,2025-05-15,", "P01,,")},
            "employment.csv:2: start_date is blank",
        ),
        (
            {"employment": ("P01,2025-05-15,", "P01,2025-05-15,2025-05-01")},
            "employment.csv:2: end_date 2025-05-01 is before start_date 2025-05-15",
        ),
        (
            {"employment": ("P01,2025-05-15,", "P07,2025-05-15,")},
            'employment.csv:2: person_id "P07" is not a known person '
            "(not in people.csv nor imported before)",
        ),
        (
            {"employment": ("P02,2025-02-01,", "P02,2020-01-01,")},
            'employment.csv:4: employment of "P02" from 2020-01-01 appears again (first on line 3)',
        ),
        (
            {"supervision": ("P01,P02,peer_work", "P01,P02,peer work")},
            'supervision.csv:2: type "peer work" is not one of: peer_work, line_management, '
            "clinical",
        ),
        (
            {"supervision": ("P01,M01,line_management", "P01,P01,line_management")},
            "supervision.csv:3: a person cannot supervise themselves",
        ),
        (
            {"supervision": ("P01,M01,line_management", "P01,G01,line_management")},
            'supervision.csv:3: supervisor_id "G01" has the role governance: governance and '
            "administrator accounts supervise no one",
        ),
        (
            {"supervision": ("P01,M01,line_management", "P01,M09,line_management")},
            'supervision.csv:3: supervisor_id "M09" is not a known person '
            "(not in people.csv nor imported before)",
        ),
        (
            {"supervision": ("2025-05-15,\nP01,M01", "2025-05-15,2025-05-14\nP01,M01")},
            "supervision.csv:2: end_date 2025-05-14 is before start_date 2025-05-15",
        ),
        (
            {"absences": ("sickness", "flu")},
            'absences.csv:2: type "flu" is not one of: sickness, annual_leave, parental, other',
        ),
        (
            {"absences": ("2025-09-15", "")},
            "absences.csv:2: end_date is blank",
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "25:00,60,P02,in_person")},
            'sessions.csv:2: start_time "25:00" is not a time (HH:MM)',
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10am,60,P02,in_person")},
            'sessions.csv:2: start_time "10am" is not a time (HH:MM)',
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10:00,0,P02,in_person")},
            'sessions.csv:2: duration_minutes "0" is not a whole number above 0',
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10:00,-30,P02,in_person")},
            'sessions.csv:2: duration_minutes "-30" is not a whole number above 0',
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10:00,1.5,P02,in_person")},
            'sessions.csv:2: duration_minutes "1.5" is not a whole number above 0',
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10:00,,P02,in_person")},
            "sessions.csv:2: duration_minutes is blank",
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10:00,1441,P02,in_person")},
            'sessions.csv:2: duration_minutes "1441" is more than a day (1440 minutes)',
        ),
        (
            {"sessions": ("10:00,60,P02,in_person", "10:00,60,P99,in_person")},
            'sessions.csv:2: lead_id "P99" is not a known person '
            "(not in people.csv nor imported before)",
        ),
        (
            {"sessions": ("S1,one_to_one", "S1,one-to-one")},
            'sessions.csv:2: kind "one-to-one" is not one of: one_to_one, co_reflection',
        ),
        (
            {"sessions": ("P02,video", "P02,teams")},
            'sessions.csv:3: modality "teams" is not one of: in_person, video, phone',
        ),
        (
            {
                "sessions": (
                    "P02,video,\n",
                    "P02,video,\nS1,one_to_one,2025-06-03,10:00,60,P02,video,\n",
                )
            },
            'sessions.csv:4: session_id "S1" appears again (first on line 2)',
        ),
        (
            {"attendance": ("S1,P01,attended", "S9,P01,attended")},
            'attendance.csv:2: session_id "S9" is not a known session '
            "(not in sessions.csv nor imported before)",
        ),
        (
            {"attendance": ("S1,P01,attended", "S1,P77,attended")},
            'attendance.csv:2: person_id "P77" is not a known person '
            "(not in people.csv nor imported before)",
        ),
        (
            {"attendance": ("S1,P01,attended", "S1,P01,came")},
            'attendance.csv:2: status "came" is not one of: attended, cancelled_by_supervisee, '
            "cancelled_by_supervisor, did_not_attend, apologies, tentative, invited",
        ),
        (
            {"attendance": ("S2,P01,apologies", "S1,P01,apologies")},
            'attendance.csv:3: "P01" in session "S1" appears again (first on line 2)',
        ),
    ],
)
def test_each_kind_of_problem_is_reported_as_file_line_message(changes, expected):
    assert check(varied(**changes)) == [expected]


def test_a_duplicate_person_points_at_the_first_line():
    files = {**GOOD, "people.csv": GOOD["people.csv"] + "P01,Jo Again,,peer_worker,,,\n"}
    assert check(files) == ['people.csv:6: person_id "P01" appears again (first on line 2)']


def test_every_problem_in_a_row_is_reported_not_only_the_first():
    files = varied(sessions=("S1,one_to_one,2025-06-02,10:00,60", "S1,one2one,2025-06-31,9,x"))
    assert check(files) == [
        'sessions.csv:2: kind "one2one" is not one of: one_to_one, co_reflection',
        'sessions.csv:2: date "2025-06-31" is not a date (YYYY-MM-DD)',
        'sessions.csv:2: start_time "9" is not a time (HH:MM)',
        'sessions.csv:2: duration_minutes "x" is not a whole number above 0',
    ]


def test_problems_come_in_file_then_line_order():
    files = varied(
        attendance=("S1,P01,attended", "S1,P01,came"),
        people=("P02,Sam Shaw,sam@example.nhs.uk", "P02,Sam Shaw,sam"),
        employment=("P02,2025-02-01", "P02,2025-02-31"),
    )
    files["people.csv"] += "P05,Pip,,peer wrker,,,\n"
    assert [e.split(": ")[0] for e in check(files)] == [
        "people.csv:3",
        "people.csv:6",
        "employment.csv:4",
        "attendance.csv:2",
    ]


def test_a_row_with_the_wrong_number_of_fields_is_reported():
    files = {"employment.csv": "person_id,start_date,end_date\nP01,2025-01-01\n"}
    assert check(files, rules.Known(person_ids=frozenset({"P01"}))) == [
        "employment.csv:2: has 2 fields but the header has 3"
    ]


def test_blank_lines_are_skipped_but_still_counted_as_lines():
    text = "person_id,start_date,end_date\n\nP01,2025-01-01,\n,,\nP01,2025-13-01,\n"
    errors = check({"employment.csv": text}, rules.Known(person_ids=frozenset({"P01"})))
    assert errors == ['employment.csv:5: start_date "2025-13-01" is not a date (YYYY-MM-DD)']


def test_a_quoted_field_over_two_lines_keeps_later_line_numbers_true():
    text = "session_id,kind,date,start_time,duration_minutes,lead_id,modality,location\n"
    text += 'S1,one_to_one,2025-06-02,10:00,60,P02,in_person,"Room 1\nfirst floor"\n'
    text += "S2,one_to_one,2025-06-02,10:00,60,P02,by pigeon,\n"
    errors = check({"sessions.csv": text}, rules.Known(person_ids=frozenset({"P02"})))
    assert errors == ['sessions.csv:4: modality "by pigeon" is not one of: in_person, video, phone']


def test_windows_line_endings_are_read():
    files = {name: text.replace("\n", "\r\n") for name, text in GOOD.items()}
    assert parse(files).rows["attendance.csv"] == 2


def test_values_are_trimmed_of_spaces():
    parsed = parse(varied(attendance=("S1,P01,attended", " S1 , P01 , attended ")))
    assert parsed.attendance["S1", "P01"] == "attended"


def test_a_bad_row_gives_one_error_not_one_in_every_file_that_refers_to_it():
    files = varied(people=("peer_worker,Adult", "peer wrker,Adult"))
    assert len(check(files)) == 1  # P01 is still a person for the other files


def test_an_unusable_people_file_does_not_make_every_reference_an_error():
    files = {**GOOD, "people.csv": "person,name\nP01,Jo\n"}
    errors = check(files)
    assert all(e.startswith("people.csv:1:") for e in errors)


def test_references_may_be_to_ids_already_imported():
    known = rules.Known(person_ids=frozenset({"P01", "P02"}), session_ids=frozenset({"S1"}))
    files = {"attendance.csv": "session_id,person_id,status\nS1,P01,attended\n"}
    assert parse(files, known).attendance == {("S1", "P01"): "attended"}
    assert check({"attendance.csv": files["attendance.csv"]}) == [
        'attendance.csv:2: session_id "S1" is not a known session '
        "(not in sessions.csv nor imported before)",
        'attendance.csv:2: person_id "P01" is not a known person '
        "(not in people.csv nor imported before)",
    ]


def test_blank_email_service_and_locality_are_allowed():
    assert parse(GOOD).people["G01"] == rules.PersonRow("Gina Gov", "", "governance", "", "", "")


# One peer work supervisor at a time.

PEER_WORK = "supervisee_id,supervisor_id,type,start_date,end_date\n"
PEOPLE = rules.Known(person_ids=frozenset({"P01", "P02", "M01", "P03"}))


def test_a_stored_administrator_cannot_be_made_a_supervisor():
    files = {
        "supervision.csv": "supervisee_id,supervisor_id,type,start_date,end_date\n"
        "P01,A01,peer_work,2025-05-15,\n"
    }
    known = rules.Known(
        person_ids=frozenset({"P01", "A01"}), roles={"P01": "peer_worker", "A01": "admin"}
    )
    assert check(files, known) == [
        'supervision.csv:2: supervisor_id "A01" has the role admin: governance and '
        "administrator accounts supervise no one"
    ]


def test_a_supervisor_the_file_moves_out_of_governance_may_supervise():
    files = {
        "people.csv": "person_id,name,email,role,service,locality,line_manager_id\n"
        "G01,Gina Gov,,senior_peer_worker,,,\n",
        "supervision.csv": "supervisee_id,supervisor_id,type,start_date,end_date\n"
        "P01,G01,peer_work,2025-05-15,\n",
    }
    known = rules.Known(
        person_ids=frozenset({"P01", "G01"}), roles={"P01": "peer_worker", "G01": "governance"}
    )
    assert check(files, known) == []


SUPERVISING_SAM = rules.Known(
    person_ids=frozenset({"P01", "P02", "S01"}),
    roles={"P01": "peer_worker", "P02": "peer_worker", "S01": "senior_peer_worker"},
    supervising={
        "S01": [("P01", "peer_work", dt.date(2025, 4, 1)), ("P02", "clinical", dt.date(2025, 6, 1))]
    },
)
SAM_AS = (
    "person_id,name,email,role,service,locality,line_manager_id\n"
    "P09,Pat,,peer_worker,,,\n"
    "S01,Sam,,{},,,\n"
)


@pytest.mark.parametrize("role", ["governance", "admin"])
def test_a_supervisor_cannot_be_given_a_role_that_supervises_no_one(role):
    assert check({"people.csv": SAM_AS.format(role)}, SUPERVISING_SAM) == [
        f'people.csv:3: role {role}: "S01" still supervises "P01" (peer_work from 2025-04-01) '
        "and 1 more, and governance and administrator accounts supervise no one; end that "
        "supervision in supervision.csv (end_date) first"
    ]


def test_a_supervisor_whose_supervision_the_file_ends_may_move_to_governance():
    files = {
        "people.csv": SAM_AS.format("governance"),
        "supervision.csv": "supervisee_id,supervisor_id,type,start_date,end_date\n"
        "P01,S01,peer_work,2025-04-01,2026-11-30\n"
        "P02,S01,clinical,2025-06-01,2026-11-30\n",
    }
    assert check(files, SUPERVISING_SAM) == []
    files["supervision.csv"] = files["supervision.csv"].replace(
        "2025-06-01,2026-11-30", "2025-06-01,"
    )
    assert check(files, SUPERVISING_SAM) == [
        'people.csv:3: role governance: "S01" still supervises "P02" (clinical from 2025-06-01), '
        "and governance and administrator accounts supervise no one; end that supervision in "
        "supervision.csv (end_date) first",
        'supervision.csv:3: supervisor_id "S01" has the role governance: governance and '
        "administrator accounts supervise no one",
    ]


def test_a_supervisor_keeping_a_role_that_supervises_is_not_asked_to_end_anything():
    assert check({"people.csv": SAM_AS.format("peer_lead")}, SUPERVISING_SAM) == []


def test_two_ongoing_peer_work_supervisors_overlap():
    text = PEER_WORK + "P01,P02,peer_work,2025-05-15,\nP01,M01,peer_work,2025-09-01,\n"
    assert check({"supervision.csv": text}, PEOPLE) == [
        "supervision.csv:3: P01 would have two peer work supervisors at once: this period "
        "overlaps line 2"
    ]


def test_a_change_of_supervisor_the_day_after_the_last_is_fine():
    text = PEER_WORK + "P01,P02,peer_work,2025-01-01,2025-08-31\nP01,M01,peer_work,2025-09-01,\n"
    assert check({"supervision.csv": text}, PEOPLE) == []


def test_periods_sharing_a_day_overlap():
    text = PEER_WORK + "P01,P02,peer_work,2025-01-01,2025-09-01\nP01,M01,peer_work,2025-09-01,\n"
    assert len(check({"supervision.csv": text}, PEOPLE)) == 1


def test_other_supervision_types_may_overlap_peer_work():
    text = PEER_WORK + "P01,P02,peer_work,2025-01-01,\nP01,M01,clinical,2025-01-01,\n"
    assert check({"supervision.csv": text}, PEOPLE) == []


def test_every_period_overlapping_a_long_one_is_reported():
    text = PEER_WORK + (
        "P01,P02,peer_work,2020-01-01,2025-12-31\n"
        "P01,M01,peer_work,2021-01-01,2021-06-30\n"
        "P01,P03,peer_work,2023-01-01,2023-06-30\n"
    )
    errors = check({"supervision.csv": text}, PEOPLE)
    assert [e.split(": ")[0] for e in errors] == ["supervision.csv:3", "supervision.csv:4"]


def test_an_overlap_with_a_stored_relationship_is_refused():
    known = rules.Known(
        person_ids=PEOPLE.person_ids,
        peer_work={"P01": [("M01", dt.date(2025, 1, 1), None)]},
    )
    text = PEER_WORK + "P01,P02,peer_work,2025-05-15,\n"
    assert check({"supervision.csv": text}, known) == [
        "supervision.csv:2: P01 would have two peer work supervisors at once: this period "
        "overlaps the peer work supervision by M01 from 2025-01-01, ongoing, already imported"
    ]


def test_a_stored_relationship_the_file_restates_is_replaced_not_overlapped():
    known = rules.Known(
        person_ids=PEOPLE.person_ids,
        peer_work={"P01": [("M01", dt.date(2025, 1, 1), None)]},
    )
    text = PEER_WORK + "P01,M01,peer_work,2025-01-01,2025-05-14\nP01,P02,peer_work,2025-05-15,\n"
    assert check({"supervision.csv": text}, known) == []


def test_overlaps_only_among_stored_relationships_are_not_this_files_problem():
    known = rules.Known(
        person_ids=PEOPLE.person_ids,
        peer_work={
            "P01": [("M01", dt.date(2025, 1, 1), None), ("P03", dt.date(2025, 2, 1), None)],
        },
    )
    text = PEER_WORK + "P01,M01,line_management,2025-01-01,\n"
    assert check({"supervision.csv": text}, known) == []


dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2022, 12, 31))
periods = st.lists(
    st.tuples(dates, st.one_of(st.none(), st.integers(0, 400))).map(
        lambda p: (p[0], None if p[1] is None else p[0] + dt.timedelta(days=p[1]))
    ),
    max_size=8,
)


@given(periods)
def test_overlapping_flags_a_period_exactly_when_it_overlaps_an_earlier_one(spans):
    spans = sorted(spans, key=lambda s: s[0])

    def meet(a, b):
        return (a[1] is None or b[0] <= a[1]) and (b[1] is None or a[0] <= b[1])

    flagged = {j for _, j in rules.overlapping(spans)}
    expected = {j for j in range(len(spans)) if any(meet(spans[i], spans[j]) for i in range(j))}
    assert flagged == expected


def test_progress_is_reported_every_5000_rows():
    rows = "".join(f"S1,P{n:05d},attended\n" for n in range(12000))
    known = rules.Known(
        person_ids=frozenset(f"P{n:05d}" for n in range(12000)), session_ids=frozenset({"S1"})
    )
    seen: list[int] = []
    rules.parse(
        {"attendance.csv": ["session_id,person_id,status\n", *rows.splitlines(True)]},
        known,
        progress=seen.append,
    )
    assert seen == [5000, 10000]


# Ids: only characters that need no escaping in an address.


@pytest.mark.parametrize("bad", ["P/01", "P 01", "P?01", "Zoë", "P#1", "P%2F1"])
def test_a_person_id_outside_letters_digits_dash_underscore_and_dot_is_refused(bad):
    files = {"people.csv": GOOD["people.csv"].replace("G01,Gina", f'"{bad}",Gina')}
    assert check(files) == [
        f'people.csv:5: person_id "{bad}" may only contain letters (A–Z, a–z), digits, "-", '
        '"_" and "."'
    ]


def test_a_session_id_with_a_slash_is_refused():
    assert check(varied(sessions=("S2,co_reflection", "S/2,co_reflection"))) == [
        'sessions.csv:3: session_id "S/2" may only contain letters (A–Z, a–z), digits, "-", '
        '"_" and "."',
        'attendance.csv:3: session_id "S2" is not a known session '
        "(not in sessions.csv nor imported before)",
    ]


@pytest.mark.parametrize("dots", [".", ".."])
def test_an_id_of_only_one_or_two_dots_is_refused(dots):
    files = {"people.csv": GOOD["people.csv"].replace("G01,Gina", f"{dots},Gina")}
    assert check(files) == ['people.csv:5: person_id cannot be "." or ".."']


def test_ids_may_hold_letters_digits_dashes_underscores_and_dots():
    files = {"people.csv": GOOD["people.csv"].replace("G01,Gina", "g-0.1_X...,Gina")}
    assert "g-0.1_X..." in parse(files).people


# Control characters.


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\x00", "U+0000 (NUL)"),
        ("\t", "U+0009 (a tab)"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F (DEL)"),
    ],
)
def test_a_control_character_in_a_value_is_refused(character, named):
    files = varied(people=("P01,Jo Bell", f'P01,"Jo{character}Bell"'))
    assert check(files) == [f"people.csv:2: name contains a control character, {named}"]


def test_a_control_character_is_reported_once_and_the_rest_of_the_row_is_still_checked():
    files = varied(sessions=("S1,one_to_one,2025-06-02,10:00", "S\x001,one_to_one,2025-06-02,9"))
    assert check(files) == [
        "sessions.csv:2: session_id contains a control character, U+0000 (NUL)",
        'sessions.csv:2: start_time "9" is not a time (HH:MM)',
    ]


def test_a_control_character_is_named_by_the_files_own_column_order():
    text = "status,person_id,session_id\nattended,P0\x001,S1\n"
    assert check({**GOOD, "attendance.csv": text}) == [
        "attendance.csv:2: person_id contains a control character, U+0000 (NUL)"
    ]


def test_a_control_character_at_the_end_of_a_value_is_refused_not_trimmed():
    files = varied(attendance=("S1,P01,attended", "S1,P01,attended\t"))
    assert check(files) == ["attendance.csv:2: status contains a control character, U+0009 (a tab)"]


def test_a_control_character_in_the_header_is_reported_and_left_out_of_the_names():
    text = "person_id,start_date,end_\x00date\nP01,2025-01-01,\n"
    assert check({**GOOD, "employment.csv": text}) == [
        "employment.csv:1: the header contains a control character, U+0000 (NUL)"
    ]


def test_line_breaks_in_a_quoted_value_are_not_control_characters():
    files = varied(sessions=("Room 1", '"Room 1\r\nfirst floor"'))
    assert parse(files).sessions["S1"].location == "Room 1\r\nfirst floor"


# A cancelled session's register keeps its cancellation.

CANCELLED = rules.Known(
    person_ids=frozenset({"P01", "P02"}),
    session_ids=frozenset({"S1", "S2"}),
    cancelled={"S1": frozenset({"cancelled_by_supervisor"})},
)


@pytest.mark.parametrize(
    "status",
    [s for s in rules.ATTENDANCE_STATUSES if s != "cancelled_by_supervisor"],
)
def test_on_a_cancelled_session_only_its_cancellation_status_is_taken(status):
    text = f"session_id,person_id,status\nS2,P01,attended\nS1,P01,{status}\n"
    assert check({"attendance.csv": text}, CANCELLED) == [
        'attendance.csv:3: session "S1" is cancelled, so nobody attended it: its register '
        f'keeps the cancellation status (cancelled_by_supervisor), not "{status}"'
    ]


def test_a_cancelled_session_may_be_sent_with_its_cancellation_status():
    text = (
        "session_id,person_id,status\n"
        "S1,P01,cancelled_by_supervisor\nS1,P02,cancelled_by_supervisor\n"
    )
    assert len(parse({"attendance.csv": text}, CANCELLED).attendance) == 2


def test_a_session_cancelled_with_an_empty_register_takes_either_cancellation():
    known = rules.Known(
        person_ids=frozenset({"P01", "P02"}),
        session_ids=frozenset({"S1"}),
        cancelled={"S1": frozenset(rules.CANCELLATION_STATUSES)},
    )
    text = "session_id,person_id,status\nS1,P01,cancelled_by_supervisee\nS1,P02,attended\n"
    assert check({"attendance.csv": text}, known) == [
        'attendance.csv:3: session "S1" is cancelled, so nobody attended it: its register '
        "keeps the cancellation status (cancelled_by_supervisee or cancelled_by_supervisor), "
        'not "attended"'
    ]


def test_the_cancellation_statuses_are_the_models():
    assert set(rules.CANCELLATION_STATUSES) == {
        AttendanceStatus.CANCELLED_BY_SUPERVISEE,
        AttendanceStatus.CANCELLED_BY_SUPERVISOR,
    }


# Line management never goes round in a circle.

PEOPLE_HEADER = "person_id,name,email,role,service,locality,line_manager_id\n"


def people(*rows: str) -> dict[str, str]:
    return {"people.csv": PEOPLE_HEADER + "".join(f"{r}\n" for r in rows)}


def test_two_people_who_manage_each_other_are_one_problem_on_the_first_line():
    files = people(
        "G01,Gina Gov,,governance,,,",
        "P01,Jo Bell,,peer_worker,,,P02",
        "P02,Sam Shaw,,peer_worker,,,P01",
    )
    assert check(files) == ["people.csv:3: line management goes round in a circle: P01 → P02 → P01"]


def test_a_manager_who_reports_to_their_own_report_further_down_is_a_circle():
    files = people(
        "M01,Lee Line,,line_manager,,,P03",
        "P01,Jo Bell,,peer_worker,,,M01",
        "P02,Sam Shaw,,peer_worker,,,P01",
        "P03,Pip Page,,peer_worker,,,P02",
        "X01,Xan Ex,,peer_worker,,,P03",
    )
    assert check(files) == [
        "people.csv:2: line management goes round in a circle: M01 → P03 → P02 → P01 → M01"
    ]


def test_a_circle_through_people_imported_before_is_refused():
    known = rules.Known(
        person_ids=frozenset({"M01", "M02"}), line_managers={"M01": "M02", "M02": "P01"}
    )
    files = people("P01,Jo Bell,,peer_worker,,,M01")
    assert check(files, known) == [
        "people.csv:2: line management goes round in a circle: "
        "P01 → M01 (imported before) → M02 (imported before) → P01"
    ]


def test_a_file_that_gives_a_stored_person_a_new_manager_can_break_a_circle():
    known = rules.Known(
        person_ids=frozenset({"M01", "P01"}), line_managers={"M01": "P01", "P01": "M01"}
    )
    assert check(people("M01,Lee Line,,line_manager,,,"), known) == []
    assert check(people("M01,Lee Line,,line_manager,,,P01"), known) == [
        "people.csv:2: line management goes round in a circle: M01 → P01 (imported before) → M01"
    ]


def test_a_circle_only_among_people_the_file_does_not_mention_is_not_its_problem():
    known = rules.Known(
        person_ids=frozenset({"M01", "M02"}), line_managers={"M01": "M02", "M02": "M01"}
    )
    assert check(people("P01,Jo Bell,,peer_worker,,,M01"), known) == []


def test_two_circles_are_two_problems():
    files = people(
        "A,Ann,,peer_worker,,,B",
        "B,Bob,,peer_worker,,,A",
        "C,Cat,,peer_worker,,,D",
        "D,Dan,,peer_worker,,,C",
    )
    assert [e.split(": ")[0] for e in check(files)] == ["people.csv:2", "people.csv:4"]


graphs = st.dictionaries(st.sampled_from("ABCDEFGH"), st.sampled_from("ABCDEFGHX"), max_size=8)


@given(graphs, st.lists(st.sampled_from("ABCDEFGH"), max_size=8))
def test_circles_finds_each_loop_reachable_from_the_starts_exactly_once(manager_of, starts):
    def on_a_loop(person):
        step = manager_of.get(person)
        for _ in range(len(manager_of) + 1):
            if step == person:
                return True
            step = manager_of.get(step)
        return False

    def reachable(person):
        seen = []
        while person is not None and person not in seen:
            seen.append(person)
            person = manager_of.get(person)
        return seen

    found = list(rules.circles(manager_of, starts))
    members = [p for circle in found for p in circle]
    assert len(members) == len(set(members))  # each loop once
    for circle in found:
        assert all(manager_of[a] == b for a, b in zip(circle, circle[1:] + circle[:1], strict=True))
    expected = {p for s in starts for p in reachable(s) if on_a_loop(p)}
    assert set(members) == expected


# The encoding.


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_recognised_with_or_without_a_byte_order_mark(encoding):
    assert rules.looks_like_utf16(GOOD["people.csv"].encode(encoding))


@pytest.mark.parametrize(
    "text", ["", "\n", GOOD["people.csv"], "person_id,name\nZoë,Ω\x00x\n", "\ufeffa,b\n"]
)
def test_utf8_text_is_not_taken_for_utf16(text):
    assert not rules.looks_like_utf16(text.encode("utf-8"))


def test_a_file_that_turns_out_to_be_utf16_is_one_problem():
    def lines():
        raise rules.WrongEncoding("UTF-16")
        yield ""

    assert rules.parse({"people.csv": lines()}, rules.Known())[1] == [
        'people.csv:1: the file is not UTF-8 (it looks like UTF-16); save it as "CSV UTF-8"'
    ]


def test_a_file_not_utf8_from_its_first_line_is_not_also_called_empty():
    def lines():
        raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")
        yield ""

    assert rules.parse({"people.csv": lines()}, rules.Known())[1] == [
        'people.csv:1: is not UTF-8 text (save the file as "CSV UTF-8")'
    ]


# A file full of mistakes.


def test_only_the_first_problems_are_kept_in_file_then_line_order_and_the_rest_counted():
    attendance = "session_id,person_id,status\n" + "S1,P01,came\n" * 50
    people_text = GOOD["people.csv"] + "".join(f"X{n},,peer_worker,,,\n" for n in range(10))
    files = {**GOOD, "attendance.csv": attendance, "people.csv": people_text}
    parsed, errors = rules.parse(
        {name: text.splitlines(keepends=True) for name, text in files.items()},
        rules.Known(),
        keep=12,
    )
    assert parsed.problems == 10 + 50 + 49  # and 49 "appears again"
    assert [e.split(": ")[0] for e in errors] == [
        *(f"people.csv:{n}" for n in range(6, 16)),
        "attendance.csv:2",
        "attendance.csv:3",
    ]
    assert errors[-1].startswith('attendance.csv:3: status "came"')


def test_at_most_a_thousand_problems_are_kept_by_default():
    text = "session_id,person_id,status\n" + "".join(f"S{n},P01,came\n" for n in range(1500))
    parsed, errors = rules.parse(
        {"attendance.csv": text.splitlines(keepends=True)},
        rules.Known(person_ids=frozenset({"P01"})),
    )
    assert len(errors) == rules.PROBLEMS_KEPT == 1000
    assert parsed.problems == 3000  # an unknown session and a bad status on each row
    assert errors[-1].startswith("attendance.csv:501: ")


def test_a_long_value_is_cut_short_in_its_message():
    files = varied(people=("peer_worker,Adult", "x" * 100_000 + ",Adult"))
    [error] = check(files)
    assert error.startswith(f'people.csv:2: role "{"x" * 60}…" is not one of: ')
    assert len(error) < 400


def test_the_line_for_problems_left_off_counts_them():
    assert rules.more_problems(12345) == "… and 12,345 more problems"
    assert rules.more_problems(1) == "… and 1 more problem"


# The size of an import.


def test_files_up_to_the_limit_together_may_be_imported():
    assert rules.too_big({"people.csv": 10, "attendance.csv": 10}, 20) is None


def test_files_over_the_limit_together_are_refused_with_their_size_and_the_limit():
    message = rules.too_big(
        {"people.csv": 10 * 2**20, "attendance.csv": 15 * 2**20 + 1}, 20 * 2**20
    )
    assert message is not None
    assert message.startswith("The files come to 25.0 MB; one import takes at most 20 MB.")


@pytest.mark.parametrize(
    ("size", "shown"),
    [(1, "1 byte"), (300, "300 bytes"), (1536, "1.5 kB"), (20 * 2**20, "20 MB")],
)
def test_sizes_are_shown_in_the_unit_that_suits_them(size, shown):
    assert rules.file_size(size) == shown


# Privileged roles: an upload may not give them (actions passes PRIVILEGED_ROLES).

PRIVILEGED = frozenset({"admin", "governance", "head_of_peer_work"})


def test_the_privileged_roles_are_the_models():
    from coreflect.people.models import PRIVILEGED_ROLES

    assert frozenset(PRIVILEGED_ROLES) == PRIVILEGED
    assert set(rules.ROLE_NAMES) == PRIVILEGED


@pytest.mark.parametrize(
    ("role", "held", "grant"),
    [
        ("admin", None, True),  # someone new
        ("admin", "peer_worker", True),
        ("governance", "admin", True),  # another privileged role is still a grant
        ("head_of_peer_work", "peer_lead", True),
        ("admin", "admin", False),  # held already: restating it changes nothing
        ("governance", "governance", False),
        ("peer_worker", "admin", False),  # taking a privileged role away grants nothing
        ("peer_lead", None, False),
    ],
)
def test_a_privileged_grant_is_a_privileged_role_the_person_does_not_hold(role, held, grant):
    assert rules.is_privileged_grant(role, held, PRIVILEGED) is grant


@given(
    st.dictionaries(
        st.sampled_from(["P1", "P2", "P3", "P4"]), st.sampled_from(rules.ROLES), min_size=1
    )
)
def test_restating_everyones_stored_role_grants_nothing(held):
    people = {pid: rules.PersonRow("A Name", "", role, "", "", "") for pid, role in held.items()}
    assert list(rules.privileged_grants(people, held, PRIVILEGED)) == []
    assert sorted(rules.privileged_grants(people, {}, PRIVILEGED)) == sorted(
        (pid, role) for pid, role in held.items() if role in PRIVILEGED
    )


def check_refusing(files: dict[str, str], known: rules.Known | None = None) -> list[str]:
    lines = {name: text.splitlines(keepends=True) for name, text in files.items()}
    return rules.parse(lines, known or rules.Known(), refused_roles=PRIVILEGED)[1]


@pytest.mark.parametrize(
    ("role", "words"),
    [
        ("admin", "administrator"),
        ("governance", "governance"),
        ("head_of_peer_work", "head of peer work"),
    ],
)
def test_a_row_giving_a_refused_role_is_a_problem_on_its_line(role, words):
    files = varied(people=("G01,Gina Gov,,governance", f"G01,Gina Gov,,{role}"))
    assert check_refusing(files) == [
        f"people.csv:5: the {words} role cannot be given by an upload; an administrator grants "
        "it on the person's page"
    ]
    assert check(files) == []  # unless refused, as on the command line


def test_a_refused_role_the_person_holds_already_may_be_restated():
    known = rules.Known(person_ids=frozenset({"G01"}), roles={"G01": "governance"})
    assert check_refusing(GOOD, known) == []
    known = rules.Known(person_ids=frozenset({"G01"}), roles={"G01": "admin"})
    assert check_refusing(GOOD, known) == [
        "people.csv:5: the governance role cannot be given by an upload; an administrator "
        "grants it on the person's page"
    ]


def test_a_refused_role_is_reported_with_the_rows_other_problems():
    files = varied(people=("G01,Gina Gov,,governance", "G01,,,admin"))
    assert check_refusing(files) == [
        "people.csv:5: name is blank",
        "people.csv:5: the administrator role cannot be given by an upload; an administrator "
        "grants it on the person's page",
    ]


# What the audit entries need: each row's line, and whether a change ends something.


def test_each_row_keeps_its_physical_line_in_the_files_order():
    files = varied(
        sessions=("Room 1", '"Room 1\nfirst floor"'),
        attendance=("S1,P01,attended\n", "S1,P01,attended\n\n"),
    )
    parsed = parse(files)
    assert list(parsed.lines["people.csv"]) == [2, 3, 4, 5]
    assert list(parsed.lines["sessions.csv"]) == [2, 4]  # S1's location spans two lines
    assert list(parsed.lines["attendance.csv"]) == [2, 4]  # after a blank line
    for name in rules.FILES:
        assert len(parsed.lines[name]) == parsed.rows[name]


@pytest.mark.parametrize(
    ("before", "after", "action"),
    [
        ({"end_date": ""}, {"end_date": "2026-01-31"}, "import.row.end"),
        (
            {"end_date": "", "supervisor_is_peer": True},
            {"end_date": "2026-01-31", "supervisor_is_peer": False},
            "import.row.end",
        ),
        ({"end_date": "2026-01-31"}, {"end_date": "2026-02-28"}, "import.row.change"),
        ({"end_date": "2026-01-31"}, {"end_date": ""}, "import.row.change"),  # reopened
        ({"supervisor_is_peer": True}, {"supervisor_is_peer": False}, "import.row.change"),
        ({"name": "Jo"}, {"name": "Jo Bell"}, "import.row.change"),
    ],
)
def test_a_change_that_sets_the_end_of_something_ongoing_ends_it(before, after, action):
    assert rules.row_action(before, after) == action
