"""The people list: a search and filters, a page at a time in name order by keyset (the page
after a given person, so neither an OFFSET nor a count of the organisation's 20,000 people is
ever asked for), served by the person_name_order index. The rows come in one query however
many there are: the service and locality joined, whether someone has left asked in the same
statement."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from coreflect.people.models import EmploymentPeriod, Person

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    text: str = ""
    service: int | None = None
    role: str = ""


def matching(filters: Filters, *, today: dt.date) -> QuerySet[Person]:
    """The people who match, in name order, each with `has_employment` and `employed_now`
    (an employment period that has not ended by today)."""
    people = Person.objects.select_related("service", "locality")
    if filters.text:
        text = filters.text
        people = people.filter(
            Q(name__icontains=text) | Q(external_id__istartswith=text) | Q(email__icontains=text)
        )
    if filters.service is not None:
        people = people.filter(service_id=filters.service)
    if filters.role:
        people = people.filter(role=filters.role)
    employment = EmploymentPeriod.objects.filter(person=OuterRef("pk"))
    return people.annotate(
        has_employment=Exists(employment),
        employed_now=Exists(employment.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))),
    ).order_by("name", "pk")


def page(filters: Filters, after: int | None, *, today: dt.date) -> tuple[list[Person], int | None]:
    """One page of the people who match, those after the person `after` (an id) in name order,
    and the id to go on after, if there are more."""
    people = matching(filters, today=today)
    if after is not None:
        mark = Person.objects.filter(pk=after).values_list("name", flat=True).first()
        if mark is not None:
            people = people.filter(Q(name__gt=mark) | Q(name=mark, pk__gt=after))
    rows = list(people[: PAGE_SIZE + 1])
    more = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], more
