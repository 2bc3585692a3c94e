"""The people list: for the head of peer work and administrators (404 for everyone else, and
no People link in their navigation); searched by name, ID or email, filtered by service and
role, paged by keyset in name order, its queries the same however many people there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coreflect.people.models import EmploymentPeriod, Person, Role
from coreflect.staff import listing
from coreflect.staff.tests.conftest import text
from coreflect.testing import make_person

URL = "/staff/"


def names(response):
    return [person.name for person in response.context["rows"]]


@pytest.mark.parametrize("who", ["hana", "ada"])
def test_head_of_peer_work_and_administrators_see_everyone_in_name_order(login, everyone, who):
    response = login(everyone[who]).get(URL)
    assert response.status_code == 200
    assert names(response) == sorted(p.name for p in everyone.values())
    page = text(response)
    assert '<a class="nhsuk-header__navigation-link" href="/staff/"' in page
    assert 'href="/staff/new/"' in page
    assert f'href="/staff/{everyone["alice"].pk}/"' in page


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "pat", "gus"])
def test_people_list_without_permission(login, everyone, who):
    client = login(everyone[who])
    assert client.get(URL).status_code == 404
    assert 'href="/staff/"' not in text(client.get("/"))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"text": "able"}, ["Alice Able"]),  # part of a name, whatever its case
        ({"text": "oll"}, ["Olly Other"]),
        ({"text": "SA"}, ["Sam Senior"]),  # the start of an ID
        ({"text": "lena@example"}, ["Lena Line"]),  # part of an email address
        ({"role": "peer_worker"}, ["Alice Able"]),
        ({"text": "s", "role": "senior_peer_worker"}, ["Sam Senior"]),
    ],
)
def test_search_by_name_id_or_email_and_filter_by_role(login, everyone, query, found):
    assert names(login(everyone["hana"]).get(URL, query)) == found


def test_filter_by_service(login, everyone, south):
    response = login(everyone["ada"]).get(URL, {"service": south.service.pk})
    assert names(response) == ["Olly Other", "Sue South"]


def test_someone_whose_employment_has_ended_is_marked_as_left(login, everyone):
    EmploymentPeriod.objects.filter(person=everyone["olly"]).update(end_date=dt.date(2026, 10, 31))
    page = text(login(everyone["hana"]).get(URL, {"text": "o"}))
    olly = page.split("Olly Other</a>")[1].split("</td>")[0]
    assert "Left" in olly
    alice = text(login(everyone["hana"]).get(URL, {"text": "alice"}))
    assert "nhsuk-tag--grey" not in alice


def test_pages_follow_on_in_name_order_without_repeating_anyone(
    login, everyone, monkeypatch, north
):
    # Two people of the same name: the ID settles their order.
    make_person("ZED2", "Alice Able", Role.PEER_WORKER, locality=north, login=False)
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)
    client = login(everyone["hana"])
    seen, url = [], URL
    for _ in range(5):
        response = client.get(url)
        seen += [(p.name, p.pk) for p in response.context["rows"]]
        more = response.context["more"]
        if more is None:
            break
        assert f"after={more}" in text(response)
        url = f"{URL}?after={more}"
    assert seen == sorted((p.name, p.pk) for p in Person.objects.all())


def test_the_next_page_keeps_the_search(login, everyone, monkeypatch, north):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    client = login(everyone["hana"])
    service = north.service.pk
    first = client.get(URL, {"service": service})
    assert names(first) == ["Alice Able", "Lena Line"]
    more = first.context["more"]
    assert f'href="?service={service}&amp;after={more}"' in text(first)
    assert names(client.get(URL, {"service": service, "after": more})) == ["Pat Lead", "Sam Senior"]


def test_the_list_asks_the_same_queries_for_three_people_or_thirty(login, hana, north):
    client = login(hana)
    client.get("/")  # the sign-in's once-a-day checks (coreflect/signin/middleware.py) done
    for n in range(2):
        make_person(f"FEW{n}", f"Few {n}", Role.PEER_WORKER, locality=north, login=False)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).context["rows"]) == 3
    for n in range(27):
        make_person(f"MANY{n}", f"Many {n}", Role.PEER_WORKER, locality=north, login=False)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL).context["rows"]) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_reads_its_rows_in_name_and_id_order():
    """The keyset's order, which the person_name_order index serves."""
    query = str(listing.matching(listing.Filters(), today=dt.date(2026, 11, 23)).query)
    assert query.endswith('ORDER BY "people_person"."name" ASC, "people_person"."id" ASC')
    index = next(i for i in Person._meta.indexes if i.name == "person_name_order")
    assert index.fields == ["name", "id"]
