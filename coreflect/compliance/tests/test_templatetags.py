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
    assert '1:1 1 of 2</span> <span class="app-cell__booked">(+1 booked)</span>' in html
    assert "Co-reflection 1 of 1</span>" in html
    assert html.endswith(">On track</strong>")


def test_matrix_rows_link_each_person_as_reverse_would_and_escape_their_details():
    from django.urls import reverse
    from django.utils.html import escape

    from coreflect.compliance.matrix import Row, Supervisor
    from coreflect.compliance.templatetags.compliance import matrix_rows
    from coreflect.people.models import Person, Role

    period = rules.PeriodResult(
        QUARTER,
        (component(rules.ONE_TO_ONE, 2, 2), component(rules.CO_REFLECTION, 1, 1)),
        rules.Status.MET,
    )
    year = rules.PeriodResult(QUARTER, (component(rules.TOTAL, 8, 3),), rules.Status.ON_TRACK)
    result = rules.PersonResult(year, (period,) * 4)
    odd = Person(external_id="P 1é?&", name="Jo <b>Bell</b>", role=Role.PEER_WORKER)
    plain = Person(external_id="P2", name="Sam Smith", role=Role.PEER_SUPPORT_WORKER)
    html = matrix_rows(
        [Row(odd, None, result), Row(plain, Supervisor(1, "Pat & Co"), result)],
        rules.Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31), "2025/26"),
        dt.date(2025, 6, 1),
    )
    path = reverse("compliance:person", args=["P 1é?&"])
    assert (
        f'<a href="{escape(path)}?year=2025&amp;as_of=2025-06-01">Jo &lt;b&gt;Bell&lt;/b&gt;</a>'
        in html
    )
    assert "No peer work supervisor" in html and "Supervisor: Pat &amp; Co" in html
    assert "Peer Support Worker" in html
    assert html.count('<td class="nhsuk-table__cell app-cell') == 10
