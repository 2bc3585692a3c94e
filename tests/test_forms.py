"""The shared form pieces: QuickSelect writes the same select list Django's template would."""

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from coreflect.forms import QuickSelect

CHOICES = [("", "All supervisors"), (1, "Ann & Bob <Team>"), ("2", 'Quote "q"'), (3, "Ünïcode")]


def same_html(html: str) -> str:
    """Django's templates put each option on a line of its own; nothing else differs."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "1", 1, "2", 3, None, "not offered"])
@pytest.mark.parametrize("attrs", [{}, {"class": "nhsuk-select", "id": "id_who", "disabled": True}])
def test_quick_select_writes_what_django_writes(value, attrs):
    expected = forms.Select(attrs=attrs, choices=CHOICES).render("who", value)
    assert QuickSelect(attrs=attrs, choices=CHOICES).render("who", value) == same_html(expected)


def test_quick_select_marks_the_chosen_option_and_escapes_labels():
    html = QuickSelect(choices=CHOICES).render("who", 1)
    assert '<option value="1" selected>Ann &amp; Bob &lt;Team&gt;</option>' in html
    assert html.count(" selected") == 1


def test_quick_select_leaves_grouped_lists_to_django():
    grouped = [("North", [(1, "Ann")]), ("South", [(2, "Bob")])]
    expected = forms.Select(choices=grouped).render("who", 2)
    assert QuickSelect(choices=grouped).render("who", 2) == expected


def test_a_bound_field_renders_with_its_label_id_and_class():
    class Form(forms.Form):
        who = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Form({"who": "2"})["who"])
    assert html.startswith('<select name="who" id="id_who">')
    assert '<option value="2" selected>' in html


@pytest.mark.parametrize(
    "choices",
    [
        [("", "Any"), ("1", "First"), ("1", "Same value again")],  # only the first is chosen
        [("", mark_safe("<b>Safe</b> label")), (2, gettext_lazy("Lazy label"))],
        [(1, "Apostrophe's & ampersand"), ('a"b', "Quoted value")],
    ],
)
def test_quick_select_matches_django_on_awkward_choices(choices):
    for value in ["", "1", 2, 'a"b', None]:
        expected = forms.Select(choices=choices).render("who", value)
        assert QuickSelect(choices=choices).render("who", value) == same_html(expected), value
