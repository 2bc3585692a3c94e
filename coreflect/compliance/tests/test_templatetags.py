import datetime as dt

from coreflect.compliance import rules
from coreflect.compliance.templatetags.compliance import matrix_cell, status_tag

QUARTER = rules.Period(dt.date(2025, 4, 1), dt.date(2025, 6, 30), "Q1")


def component(name, required, attended, scheduled=0):
    need = rules.Requirement(base=required, eligible_days=91, calendar_days=91, required=required)
    return rules.Component(name, need, attended, scheduled)


def test_status_tag_says_the_status_in_words_with_its_colour():
    html = status_tag(rules.Status.NOT_MET)
    assert ">Not met</strong>" in html
    assert "nhsuk-tag--red" in html and "app-status--not_met" in html


def test_matrix_cell_shows_each_requirement_and_what_is_booked():
    result = rules.PeriodResult(
        QUARTER,
        (component(rules.ONE_TO_ONE, 2, 1, scheduled=1), component(rules.CO_REFLECTION, 1, 1)),
        rules.Status.ON_TRACK,
    )
    html = matrix_cell(result)
    assert '1:1 1 of 2 <span class="app-cell__booked">(+1 booked)</span>' in html
    assert "Co-reflection 1 of 1</span>" in html
    assert html.endswith(">On track</strong>")
