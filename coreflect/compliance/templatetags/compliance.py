"""How compliance results look on a page: status tags and matrix cells.

The matrix shows five cells for each of up to a page of people, so a cell is one filter call
rather than an include of a template: the same markup, a fraction of the rendering time.
"""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe

from coreflect.compliance import matrix, rules

register = template.Library()

SHORT_NAMES = {
    rules.ONE_TO_ONE: "1:1",
    rules.CO_REFLECTION: "Co-reflection",
    rules.TOTAL: "Sessions",
}
# The NHS.UK tag colour for each status; app-status--* refines it to AA contrast.
TAG_COLOURS = {
    rules.Status.MET: "green",
    rules.Status.NOT_MET: "red",
    rules.Status.AT_RISK: "orange",
    rules.Status.ON_TRACK: "blue",
    rules.Status.NOT_STARTED: "grey",
    rules.Status.NOT_APPLICABLE: "white",
}
NAMES = {
    rules.ONE_TO_ONE: "One-to-one sessions",
    rules.CO_REFLECTION: "Co-reflection sessions",
    rules.TOTAL: "Sessions in total",
}


# The filters below interpolate only integers, Status values and the fixed labels above, none
# of which can hold markup, so they build strings directly: format_html would escape each
# piece again for every one of the matrix's cells.


@register.filter
def status_tag(status: rules.Status) -> SafeString:
    """The status in words; its colour (app-status--*) only supports the words."""
    return mark_safe(  # noqa: S308 (a Status value and label: fixed text)
        f'<strong class="nhsuk-tag nhsuk-tag--{TAG_COLOURS[status]} app-status '
        f'app-status--{status.value}">{status.label}</strong>'
    )


@register.filter
def component_name(component: rules.Component) -> str:
    return NAMES[component.name]


@register.filter
def matrix_cell(result: rules.PeriodResult) -> SafeString:
    """One period of one person: attended of required for each component, then the status."""
    lines = []
    for c in result.components:
        booked = (
            f' <span class="app-cell__booked">(+{c.scheduled} booked)</span>' if c.scheduled else ""
        )
        # The count and what is booked each stay whole; a narrow column breaks between them.
        lines.append(
            f'<span class="app-cell__line"><span class="app-cell__count">{SHORT_NAMES[c.name]} '
            f"{int(c.attended)} of {int(c.required)}</span>{booked}</span>"
        )
    lines.append(status_tag(result.status))
    return mark_safe("\n".join(lines))  # noqa: S308 (integers and fixed labels only)


def period_headings(year: rules.Period) -> list[str]:
    """Each matrix column's period in words, for a narrow screen's stacked cells."""
    dates = '<span class="app-matrix__dates">{}</span>'
    return [
        *(
            f"Quarter {number} " + dates.format(f"{q.start:%b}–{q.end:%b %Y}")
            for number, q in enumerate(rules.quarters(year), start=1)
        ),
        "Year " + dates.format(year.label),
    ]


@register.simple_tag
def matrix_rows(
    rows: Iterable[matrix.Row], year: rules.Period, as_of: dt.date, shown: int = 0
) -> SafeString:
    """The matrix's body rows: the person (name linked to their page, role, locality,
    supervisor), then a cell for each quarter and the year. One call for the page's rows,
    as a template loop over them costs more than the rest of the page.

    Narrow screens stack each row and show only quarter `shown` and the year: the other
    quarters' cells are marked `app-matrix__other`, and each cell carries its period's name
    (hidden from screen readers, which have the column headers)."""
    marker = "PERSON-ID"
    path = reverse("compliance:person", args=[marker])
    query = f"?year={year.start.year}&amp;as_of={as_of:%Y-%m-%d}"
    safe = RFC3986_SUBDELIMS + "/~:@"
    # The cells' opening tags, the same for every row; the year is shown on every screen.
    other = [number != shown for number in range(1, 5)] + [False]
    openings = [
        f'<td class="nhsuk-table__cell app-cell{" app-matrix__other" if hide else ""}">'
        f'<span class="app-matrix__heading" aria-hidden="true">{heading}</span>'
        for heading, hide in zip(period_headings(year), other, strict=True)
    ]
    html = []
    for row in rows:
        person = row.person
        href = escape(path.replace(marker, quote(person.external_id, safe=safe))) + query
        about = str(escape(person.get_role_display()))
        if person.locality:
            about += ", " + escape(person.locality.name)
        supervisor = (
            f'<span class="app-muted">Supervisor: {escape(row.supervisor.name)}</span>'
            if row.supervisor
            else '<strong class="nhsuk-tag nhsuk-tag--orange">No peer work supervisor</strong>'
        )
        cells = "".join(
            f"{opening}{matrix_cell(result)}</td>"
            for opening, result in zip(openings, row.periods, strict=True)
        )
        html.append(
            '<tr class="nhsuk-table__row">\n'
            '  <th scope="row" class="nhsuk-table__cell app-matrix__person">\n'
            f'    <a href="{href}">{escape(person.name)}</a>\n'
            f'    <span class="app-muted">{about}</span>\n'
            f"    {supervisor}\n"
            f"  </th>\n  {cells}\n</tr>"
        )
    # Names, roles and localities are escaped above; the rest is fixed markup and numbers.
    return mark_safe("\n".join(html))  # noqa: S308


@register.simple_tag(takes_context=True)
def with_quarter(context: template.Context, number: int) -> str:
    """This page's query string with another quarter shown on narrow screens (the filters
    and the page kept)."""
    query = context["request"].GET.copy()
    query["quarter"] = str(number)
    return query.urlencode()
