"""How compliance results look on a page: status tags and matrix cells.

The matrix shows five cells for each of up to a page of people, so a cell is one filter call
rather than an include of a template: the same markup, a fraction of the rendering time.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from coreflect.compliance import rules

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
        lines.append(
            f'<span class="app-cell__line">{SHORT_NAMES[c.name]} {int(c.attended)} of '
            f"{int(c.required)}{booked}</span>"
        )
    lines.append(status_tag(result.status))
    return mark_safe("\n".join(lines))  # noqa: S308 (integers and fixed labels only)
