import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from coreflect.compliance.models import StoredResult
from coreflect.people.models import Absence, Placement, Role
from coreflect.supervision.models import Attendance, Session
from coreflect.testing import make_person, supervise

TODAY = dt.date(2025, 11, 20)


@pytest.fixture(autouse=True)
def frozen_today(frozen_clock):
    """Pages default to today; pin it (a Thursday morning) so statuses are predictable."""
    frozen_clock.move_to(dt.datetime(2025, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London")))


def one_to_one(lead, person, day, status="attended", external_id=None):
    session = Session.objects.create(
        external_id=external_id,
        kind="one_to_one",
        date=day,
        start_time=dt.time(10),
        duration_minutes=60,
        lead=lead,
        modality="in_person",
    )
    Attendance.objects.create(session=session, person=person, status=status)
    return session


def matrix_names(response):
    return {row.person.name for row in response.context["rows"]}


# Who sees which rows of the matrix.


def test_peer_worker_sees_only_their_own_row(login, everyone):
    response = login(everyone["alice"]).get("/matrix/")
    assert response.status_code == 200
    assert matrix_names(response) == {"Alice Able"}


def test_supervisor_sees_themselves_and_current_supervisees(login, everyone):
    response = login(everyone["sam"]).get("/matrix/")
    assert matrix_names(response) == {"Sam Senior", "Alice Able"}


def test_supervisor_no_longer_sees_a_former_supervisee(login, everyone):
    everyone["alice"].supervisors.update(end_date=TODAY - dt.timedelta(days=1))
    response = login(everyone["sam"]).get("/matrix/")
    assert matrix_names(response) == {"Sam Senior"}


def test_line_manager_sees_their_reports(login, everyone):
    response = login(everyone["lena"]).get("/matrix/")
    assert matrix_names(response) == {"Alice Able"}


def test_peer_lead_sees_their_service_only(login, everyone):
    response = login(everyone["pat"]).get("/matrix/")
    assert matrix_names(response) == {"Alice Able", "Sam Senior", "Pat Lead"}


@pytest.mark.parametrize("who", ["hana", "gus", "ada"])
def test_head_governance_and_admin_see_every_row(login, everyone, who):
    response = login(everyone[who]).get("/matrix/")
    assert matrix_names(response) == {
        "Alice Able",
        "Sam Senior",
        "Pat Lead",
        "Olly Other",
        "Sue South",
        "Hana Head",
    }


def test_logged_out_visitor_is_sent_to_sign_in(client, everyone):
    response = client.get("/matrix/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# The person page.


def test_peer_worker_sees_their_own_page(login, everyone):
    response = login(everyone["alice"]).get("/people/ALICE/")
    assert response.status_code == 200
    assert response.context["person"] == everyone["alice"]
    # Only the page body says these (the header shows the signed-in name on every page).
    page = response.content.decode()
    heading = '<span class="nhsuk-caption-l">Peer Worker, Northton (North)</span>Alice Able</h1>'
    assert heading in page
    assert "Peer work supervision with Sam Senior, from 1 Jan 2024" in page


def test_peer_worker_page_of_someone_else_without_permission_is_404(login, everyone):
    assert login(everyone["alice"]).get("/people/SAM/").status_code == 404
    assert login(everyone["alice"]).get("/people/OLLY/").status_code == 404


def test_missing_and_forbidden_people_answer_alike(login, everyone):
    missing = login(everyone["alice"]).get("/people/NOBODY/")
    forbidden = login(everyone["alice"]).get("/people/OLLY/")
    assert missing.status_code == forbidden.status_code == 404


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("sam", "ALICE", 200),
        ("sam", "OLLY", 404),
        ("lena", "ALICE", 200),
        ("lena", "SAM", 404),
        ("pat", "SAM", 200),
        ("pat", "OLLY", 404),
        ("sue", "OLLY", 200),
        ("sue", "ALICE", 404),
        ("hana", "OLLY", 200),
        ("gus", "ALICE", 200),
        ("ada", "OLLY", 200),
    ],
)
def test_person_page_by_role(login, everyone, who, target, status):
    assert login(everyone[who]).get(f"/people/{target}/").status_code == status


def test_person_page_explains_a_red_cell(login, everyone):
    alice = everyone["alice"]
    alice.employment.update(start_date=dt.date(2025, 5, 15))
    one_to_one(everyone["sam"], alice, dt.date(2025, 5, 20))
    response = login(alice).get("/people/ALICE/?year=2025&as_of=2026-04-01")
    text = response.content.decode()
    assert "Not met" in text
    assert "eligible 321 of 365 days → 8 × 321/365 = 7.04 → 7 sessions" in text
    assert "Attended 1 of 7 required" in text
    assert "Short by 6" in text


def test_person_page_marks_long_term_sickness_as_reducing_requirements(login, everyone):
    alice = everyone["alice"]
    Absence.objects.create(
        person=alice,
        type="sickness",
        start_date=dt.date(2025, 7, 1),
        end_date=dt.date(2025, 8, 31),
    )
    Absence.objects.create(
        person=alice,
        type="sickness",
        start_date=dt.date(2025, 10, 1),
        end_date=dt.date(2025, 10, 3),
    )
    text = login(alice).get("/people/ALICE/?year=2025").content.decode()
    assert "31 Aug 2025 (reduces requirements)" in text
    assert "3 Oct 2025 (does not reduce requirements)" in text


def test_me_redirects_to_own_page(login, everyone):
    response = login(everyone["alice"]).get("/me/")
    assert response["Location"] == "/people/ALICE/"


# The matrix cells and filters.


def test_matrix_cell_shows_counts_and_status_in_words(login, everyone):
    alice = everyone["alice"]
    one_to_one(everyone["sam"], alice, dt.date(2025, 4, 10))
    response = login(alice).get("/matrix/?year=2025")
    text = response.content.decode()
    assert "1:1 1 of 2" in text
    assert "Not met" in text  # Q1 ended short
    assert "Not started" in text  # Q4 after 20 Nov


def test_matrix_filters_by_status_and_period(login, everyone):
    everyone["alice"].employment.update(start_date=dt.date(2025, 12, 15))
    response = login(everyone["hana"]).get("/matrix/?year=2025&status=not_applicable&period=1")
    assert matrix_names(response) == {"Alice Able"}


def test_matrix_filters_by_service_and_supervisor(login, everyone):
    hana = login(everyone["hana"])
    south = everyone["olly"].service_id
    assert matrix_names(hana.get(f"/matrix/?service={south}")) == {"Olly Other", "Sue South"}
    assert matrix_names(hana.get("/matrix/?supervisor=SAM")) == {"Alice Able"}


def test_matrix_lists_people_with_no_peer_work_supervisor(login, everyone):
    hana = login(everyone["hana"])
    unsupervised = matrix_names(hana.get("/matrix/?supervisor=none"))
    assert "Alice Able" not in unsupervised
    assert unsupervised
    everyone["alice"].supervisors.update(end_date=TODAY - dt.timedelta(days=1))
    assert "Alice Able" in matrix_names(hana.get("/matrix/?supervisor=none"))


def test_a_past_years_supervisor_filter_follows_the_supervisor_its_rows_show(login, everyone):
    """Sam supervised Alice until the end of 2024/25, Pat since: the 2024/25 matrix (as of
    today, after that year) shows Sam on her row, and its supervisor filter and list agree."""
    alice, sam, pat = everyone["alice"], everyone["sam"], everyone["pat"]
    alice.supervisors.update(end_date=dt.date(2025, 3, 31))
    supervise(pat, alice, start=dt.date(2025, 4, 1))
    hana = login(everyone["hana"])
    response = hana.get("/matrix/?year=2024")
    row = next(r for r in response.context["rows"] if r.person.name == "Alice Able")
    assert row.supervisor.name == sam.name
    offered = dict(response.context["form"].fields["supervisor"].choices)
    assert "SAM" in offered and "PAT" not in offered  # Pat supervised no one then
    assert "Alice Able" in matrix_names(hana.get("/matrix/?year=2024&supervisor=SAM"))
    assert "Alice Able" not in matrix_names(hana.get("/matrix/?year=2024&supervisor=none"))
    # This year's matrix follows today's relationships.
    assert "Alice Able" in matrix_names(hana.get("/matrix/?supervisor=PAT"))


@pytest.mark.parametrize(
    "query",
    [
        "as_of=9999-06-01",
        "as_of=0001-01-01",
        "page=99999999999999999999",
        "page=%C2%B2",  # "²": a digit to Python, not a number
        "service=%C2%B2",
        "locality=%C2%B2&service=1",
        "year=%C2%B2",
    ],
)
def test_odd_addresses_fall_back_to_the_defaults_instead_of_failing(login, everyone, query):
    hana = login(everyone["hana"])
    for page in ("/matrix/", "/matrix.csv", "/matrix.xlsx", "/people/ALICE/"):
        assert hana.get(f"{page}?{query}").status_code == 200, page


def test_choosing_a_service_narrows_the_supervisor_and_locality_lists(login, everyone):
    hana = login(everyone["hana"])
    everywhere = dict(hana.get("/matrix/").context["form"].fields["supervisor"].choices)
    assert "SAM" in everywhere
    south = everyone["olly"].service_id
    form = hana.get(f"/matrix/?service={south}").context["form"]
    assert "SAM" not in dict(form.fields["supervisor"].choices)
    assert offered(form, "locality") == {everyone["olly"].locality_id}


def offered(form, name: str) -> set:
    return {value for value, _ in form.fields[name].choices if value}


def test_filter_lists_offer_only_what_the_user_can_see(login, everyone):
    """A peer lead in the north is offered the north's service, locality and supervisors,
    not the south's (the head of peer work, who sees everyone, is offered both)."""
    pat, olly = everyone["pat"], everyone["olly"]
    form = login(pat).get("/matrix/").context["form"]
    assert offered(form, "service") == {pat.service_id}
    assert offered(form, "locality") == {pat.locality_id}
    assert offered(form, "supervisor") == {"none", "SAM"}
    form = login(everyone["hana"]).get("/matrix/").context["form"]
    assert offered(form, "service") == {pat.service_id, olly.service_id}
    assert offered(form, "locality") == {pat.locality_id, olly.locality_id}
    assert offered(form, "supervisor") == {"none", "SAM", "SUE"}


def test_matrix_flags_people_without_a_peer_work_supervisor(login, everyone):
    text = login(everyone["hana"]).get("/matrix/").content.decode()
    assert "No peer work supervisor" in text


def test_matrix_htmx_request_returns_only_the_results(login, everyone):
    response = login(everyone["hana"]).get("/matrix/", headers={"HX-Request": "true"})
    assert b'id="results"' in response.content
    assert b"<html" not in response.content


def test_matrix_query_count_does_not_grow_with_people(client, north, hana):
    sam = make_person("SUP", "Sup Ervisor", Role.SENIOR_PEER_WORKER, locality=north, login=False)

    def add_people(count, offset):
        for n in range(offset, offset + count):
            person = make_person(
                f"W{n}", f"Worker {n}", Role.PEER_WORKER, locality=north, login=False
            )
            supervise(sam, person)
            one_to_one(sam, person, dt.date(2025, 5, 1))
            Absence.objects.create(
                person=person,
                type="sickness",
                start_date=dt.date(2025, 6, 1),
                end_date=dt.date(2025, 7, 30),
            )

    client.force_login(hana.user)
    add_people(10, 0)
    client.get("/matrix/")  # the first request creates the policy row
    pages = ["/matrix/", "/matrix/?page=99", "/matrix/?status=at_risk", "/"]
    ten = {}
    for page in pages:
        StoredResult.objects.all().delete()  # count the queries of computing every row
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        ten[page] = len(queries)
    add_people(90, 10)
    hundred = {}
    for page in pages:
        StoredResult.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        hundred[page] = len(queries)
    assert response.context["overview"].people == 102  # the overview, everyone
    assert ten == hundred


def test_matrix_shows_a_page_of_people_at_a_time(login, everyone, north):
    for n in range(60):
        make_person(f"W{n:02d}", f"Worker {n:02d}", Role.PEER_WORKER, locality=north, login=False)
    hana = login(everyone["hana"])
    first = hana.get(f"/matrix/?service={north.service_id}")
    text = first.content.decode()
    assert len(first.context["rows"]) == 50
    assert "Showing 1 to 50 of 63 people." in text
    assert f'href="?service={north.service_id}&amp;page=2"' in text  # filters kept
    second = hana.get(f"/matrix/?service={north.service_id}&page=2")
    assert "Showing 51 to 63 of 63 people." in second.content.decode()
    assert matrix_names(first).isdisjoint(matrix_names(second))
    assert len(matrix_names(first) | matrix_names(second)) == 63
    assert hana.get("/matrix/?page=99").context["page"].number == 2  # the last page
    # Downloads hold everyone, not one page.
    csv = hana.get(f"/matrix.csv?service={north.service_id}")
    assert len(b"".join(csv.streaming_content).decode().splitlines()) == 1 + 63


def test_matrix_status_filter_pages_through_computed_rows(login, everyone, north):
    for n in range(55):
        person = make_person(
            f"W{n:02d}", f"Worker {n:02d}", Role.PEER_WORKER, locality=north, login=False
        )
        person.employment.update(start_date=dt.date(2026, 1, 15))  # nothing due in Q1
    hana = login(everyone["hana"])
    response = hana.get("/matrix/?year=2025&status=not_applicable&period=1&page=2")
    assert response.context["page"].paginator.count == 55
    assert len(response.context["rows"]) == 5
    assert all(row.has_status("not_applicable", "1") for row in response.context["rows"])


# Downloads and the command.


def test_csv_download_has_a_row_per_person(login, everyone):
    response = login(everyone["lena"]).get("/matrix.csv?year=2025")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("person_id,name,service,locality,supervisor,q1_one_to_one_required")
    assert len(lines) == 2 and lines[1].startswith("ALICE,Alice Able,North,Northton,Sam Senior")


def test_xlsx_download_escapes_formula_text(login, everyone):
    alice = everyone["alice"]
    alice.name = '=HYPERLINK("http://evil")'
    alice.save(update_fields=["name"])
    response = login(everyone["lena"]).get("/matrix.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Person ID"
    assert rows[2][1] == '\'=HYPERLINK("http://evil")'


def test_download_without_permission_has_no_one_else(login, everyone):
    response = login(everyone["alice"]).get("/matrix.csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["ALICE"]  # her own row, no one else's
    assert "Olly" not in "".join(lines)


def test_compliance_command_prints_the_documented_json(everyone, capsys):
    alice = everyone["alice"]
    one_to_one(everyone["sam"], alice, dt.date(2025, 4, 10))
    one_to_one(everyone["sam"], alice, dt.date(2026, 3, 30), status="invited")
    call_command("compliance", "--year", "2025", "--as-of", "2026-03-01", "--format", "json")
    out = capsys.readouterr().out
    assert out.startswith('{\n  "year": "2025/26",\n  "as_of": "2026-03-01",\n')
    data = json.loads(out)
    assert data["year"] == "2025/26" and data["as_of"] == "2026-03-01"
    person = next(p for p in data["people"] if p["person_id"] == "ALICE")
    assert person["name"] == "Alice Able"
    assert [q["quarter"] for q in person["quarters"]] == [1, 2, 3, 4]
    assert person["quarters"][0] == {
        "quarter": 1,
        "start": "2025-04-01",
        "end": "2025-06-30",
        "one_to_one": {"required": 2, "attended": 1, "scheduled": 0},
        "co_reflection": {"required": 1, "attended": 0, "scheduled": 0},
        "status": "not_met",
    }
    assert person["quarters"][3]["one_to_one"] == {"required": 2, "attended": 0, "scheduled": 1}
    assert person["quarters"][3]["status"] == "at_risk"
    assert person["year_total"] == {
        "required": 8,
        "attended": 1,
        "scheduled": 1,
        "status": "at_risk",
    }
    # Only peer-work roles employed in the year are listed.
    assert {p["person_id"] for p in data["people"]} == {
        "ALICE",
        "SAM",
        "PAT",
        "OLLY",
        "SUE",
        "HANA",
    }


def test_compliance_command_csv(everyone, capsys):
    call_command("compliance", "--year", "2025", "--format", "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("person_id,name,")
    assert len(lines) == 7


def test_dashboard_counts_statuses_for_visible_people(login, everyone):
    response = login(everyone["hana"]).get("/")
    assert response.status_code == 200
    # The six peer workers have no sessions: Q1 and Q2 not met, Q3 and the year at risk.
    overview = response.context["overview"]
    assert {s.value: n for s, n, _ in overview.summary if n} == {"at_risk": 6}  # Q3
    assert {s.value: n for s, _, n in overview.summary if n} == {"at_risk": 6}  # the year
    assert (overview.at_risk_count, overview.missed_count, overview.unsupervised_count) == (6, 6, 4)
    text = response.content.decode()
    assert "Supervision overview" in text
    assert "has no current peer work supervisor" in text


def test_dashboard_for_a_peer_worker_links_to_their_attendance(login, everyone):
    response = login(everyone["alice"]).get("/")
    assert response.context["overview"].people == 1
    assert b"/people/ALICE/" in response.content


def test_person_page_shows_role_and_team_history(login, everyone):
    alice = everyone["alice"]
    Placement.objects.create(
        person=alice,
        role="peer_support_worker",
        service=alice.service,
        locality=alice.locality,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2025, 3, 31),
    )
    Placement.objects.create(
        person=alice,
        role="peer_worker",
        service=alice.service,
        locality=alice.locality,
        start_date=dt.date(2025, 4, 1),
    )
    text = login(alice).get("/people/ALICE/").content.decode()
    assert "Peer Support Worker, Northton (North), from 1 Jan 2024 to 31 Mar 2025" in text
    assert "Peer Worker, Northton (North), from 1 Apr 2025" in text
