"""A co-reflection's agenda: the template's items until the facilitator changes them; shown to
the facilitator and the members invited, changed by the facilitator only."""

import dataclasses
import datetime as dt
import re

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.notes.agenda_views import STALE_MESSAGE
from coreflect.notes.models import AgendaItem
from coreflect.policy import presets
from coreflect.policy.models import PolicySettings
from coreflect.supervision.actions import cancel_session, create_co_reflection

WEDNESDAY = dt.date(2026, 11, 25)
DEFAULT = [
    ("Checking in", 30),
    ("Supportive space", 50),
    ("Break", 20),
    ("Positive reflections", 50),
    ("Checking out", 30),
]


@pytest.fixture
def group(sam, alice, pat):
    """Sam facilitates; Alice and Pat are invited."""
    return create_co_reflection(
        by=sam.user,
        lead=sam,
        participants=[alice, pat],
        date=WEDNESDAY,
        start_time=dt.time(13, 0),
        duration_minutes=180,
        modality="in_person",
        location="Hub",
    )


def shown_agenda(page: str) -> list[tuple[str, str, int]]:
    """(starts, title, minutes) of each item in the page's agenda table, in order."""
    return [
        (starts, title, int(minutes))
        for starts, title, minutes in re.findall(
            r'<td class="nhsuk-table__cell">(\d\d:\d\d)</td>\s*'
            r'<td class="nhsuk-table__cell"><strong>([^<]+)</strong>.*?</td>\s*'
            r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">(\d+) minutes</td>',
            page,
            flags=re.S,
        )
    ]


def posted(version, items, *, initial=None, extra=None, delete=()):
    """The edit form's fields: items as (title, minutes, description), one blank row to add
    (or `extra`), and the rows to remove."""
    rows = [*items, extra or ("", "", "")]
    data = {
        "version": version,
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": len(items) if initial is None else initial,
        "items-MIN_NUM_FORMS": 1,
        "items-MAX_NUM_FORMS": 20,
    }
    for i, (title, minutes, description) in enumerate(rows):
        data |= {
            f"items-{i}-title": title,
            f"items-{i}-minutes": minutes,
            f"items-{i}-description": description,
        }
    for i in delete:
        data[f"items-{i}-DELETE"] = "on"
    return data


def template_rows():
    return [(item.title, item.minutes, item.description) for item in presets.PROTOCOL_AGENDA]


def stored(session):
    return list(AgendaItem.objects.filter(session=session).values_list("title", "minutes"))


def test_default_agenda_is_shown_with_the_templates_times(login, everyone, group):
    page = login(everyone["alice"]).get(f"/sessions/{group.pk}/").content.decode()
    assert shown_agenda(page) == [
        ("13:00", "Checking in", 30),
        ("13:30", "Supportive space", 50),
        ("14:20", "Break", 20),
        ("14:40", "Positive reflections", 50),
        ("15:30", "Checking out", 30),
    ]
    assert "<strong>180 minutes</strong>" in page
    assert "The usual agenda from the co-reflection template" in page
    assert "Change the agenda" not in page
    assert AgendaItem.objects.count() == 0


def test_agenda_comes_from_the_organisations_preset(login, everyone, group, monkeypatch):
    own = (presets.AgendaItem("Arriving", 15, ""), presets.AgendaItem("Round", 165, ""))
    monkeypatch.setitem(
        presets.PRESETS,
        "weekly",
        dataclasses.replace(presets.WEEKLY, co_reflection_agenda=own),
    )
    PolicySettings.objects.filter(pk=PolicySettings.objects.current().pk).update(preset="weekly")
    page = login(everyone["sam"]).get(f"/sessions/{group.pk}/").content.decode()
    assert [(title, minutes) for _, title, minutes in shown_agenda(page)] == [
        ("Arriving", 15),
        ("Round", 165),
    ]
    edit = login(everyone["sam"]).get(f"/notes/agenda/{group.pk}/edit/")
    assert [f.initial["title"] for f in edit.context["formset"].initial_forms] == [
        "Arriving",
        "Round",
    ]


def test_facilitator_sees_the_agenda_with_a_link_to_change_it(login, everyone, group):
    page = login(everyone["sam"]).get(f"/sessions/{group.pk}/").content.decode()
    assert [(title, minutes) for _, title, minutes in shown_agenda(page)] == DEFAULT
    assert f'href="/notes/agenda/{group.pk}/edit/"' in page


def test_first_save_copies_the_template_into_the_session(login, everyone, group):
    client = login(everyone["sam"])
    page = client.get(f"/notes/agenda/{group.pk}/edit/")
    assert page.status_code == 200
    assert "This is the usual agenda from the co-reflection template" in page.content.decode()
    response = client.post(f"/notes/agenda/{group.pk}/edit/", posted(1, template_rows()))
    assert response.status_code == 302 and response["Location"] == f"/sessions/{group.pk}/"
    assert stored(group) == DEFAULT
    assert list(AgendaItem.objects.values_list("description", flat=True)) == [
        item.description for item in presets.PROTOCOL_AGENDA
    ]


def test_facilitator_changes_removes_and_adds_items(login, everyone, group):
    client = login(everyone["sam"])
    rows = template_rows()
    rows[0] = ("Arriving and checking in", 40, "Tea first")
    response = client.post(
        f"/notes/agenda/{group.pk}/edit/",
        posted(1, rows, extra=("A minute of quiet", "5", ""), delete=[2]),
    )
    assert response.status_code == 302
    assert stored(group) == [
        ("Arriving and checking in", 40),
        ("Supportive space", 50),
        ("Positive reflections", 50),
        ("Checking out", 30),
        ("A minute of quiet", 5),
    ]
    assert AgendaItem.objects.get(position=1).description == "Tea first"
    assert AuditEvent.objects.filter(action="session.agenda.save", actor=everyone["sam"].user)
    # The session page shows the session's own agenda now, and everyone invited sees it.
    page = login(everyone["pat"]).get(f"/sessions/{group.pk}/").content.decode()
    assert shown_agenda(page)[0] == ("13:00", "Arriving and checking in", 40)
    assert shown_agenda(page)[-1] == ("15:50", "A minute of quiet", 5)
    assert "<strong>175 minutes</strong>" in page
    assert "The session is booked for 180 minutes." in page
    assert "The usual agenda" not in page


def test_save_and_add_another_comes_back_to_the_form(login, everyone, group):
    client = login(everyone["sam"])
    data = posted(1, template_rows()) | {"another": "1"}
    response = client.post(f"/notes/agenda/{group.pk}/edit/", data)
    assert response["Location"] == f"/notes/agenda/{group.pk}/edit/"
    page = client.get(response["Location"])
    assert len(page.context["formset"].forms) == 6  # the five items and a blank one


def test_stale_edit_is_refused_and_the_current_agenda_shown(login, everyone, group):
    client = login(everyone["sam"])
    mine = template_rows()
    mine[0] = ("Saved first", 30, "")
    client.post(f"/notes/agenda/{group.pk}/edit/", posted(1, mine))
    theirs = template_rows()
    theirs[0] = ("Opened before the first save", 30, "")
    response = client.post(f"/notes/agenda/{group.pk}/edit/", posted(1, theirs))
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_MESSAGE in page and "nhsuk-error-summary" in page
    assert stored(group)[0] == ("Saved first", 30)
    assert response.context["formset"].initial_forms[0].initial["title"] == "Saved first"
    assert response.context["version_form"].initial["version"] == 2


def test_every_item_removed_is_refused(login, everyone, group):
    client = login(everyone["sam"])
    response = client.post(
        f"/notes/agenda/{group.pk}/edit/", posted(1, template_rows(), delete=range(5))
    )
    assert response.status_code == 200
    assert "Keep at least one item on the agenda" in response.content.decode()
    assert stored(group) == []


def test_an_item_needs_a_title_and_whole_minutes(login, everyone, group):
    rows = template_rows()
    rows[1] = ("", "0", "")
    response = login(everyone["sam"]).post(f"/notes/agenda/{group.pk}/edit/", posted(1, rows))
    page = response.content.decode()
    assert "Item 2: Enter a title for the item" in page
    assert "Item 2: Give the item at least 1 minute" in page
    assert 'href="#id_items-1-title"' in page
    assert stored(group) == []


def test_cancelled_co_reflection_agenda_cannot_be_changed(login, everyone, group):
    sam = everyone["sam"]
    cancel_session(
        by=sam.user,
        session=group,
        reason="Room flooded",
        cancelled_by_side="supervisor",
        version=group.version,
    )
    client = login(sam)
    response = client.post(f"/notes/agenda/{group.pk}/edit/", posted(2, template_rows()))
    assert response.status_code == 302 and response["Location"] == f"/sessions/{group.pk}/"
    assert stored(group) == []
    assert "Change the agenda" not in client.get(f"/sessions/{group.pk}/").content.decode()


@pytest.mark.parametrize("who", ["alice", "pat"])
def test_participant_sees_the_agenda_but_cannot_change_it(login, everyone, group, who):
    client = login(everyone[who])
    page = client.get(f"/sessions/{group.pk}/").content.decode()
    assert 'id="agenda"' in page and "Change the agenda" not in page
    assert client.get(f"/notes/agenda/{group.pk}/edit/").status_code == 404
    assert client.post(f"/notes/agenda/{group.pk}/edit/", posted(1, [])).status_code == 404
    assert stored(group) == []


@pytest.mark.parametrize("who", ["lena", "hana"])
def test_others_who_see_the_session_do_not_see_its_agenda(login, everyone, group, who):
    """Lena line-manages Alice, Hana is head of peer work: both may open the session page."""
    response = login(everyone[who]).get(f"/sessions/{group.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="agenda"' not in page and "Checking in" not in page


@pytest.mark.parametrize("who", ["alice", "pat", "lena", "hana", "olly", "sue", "gus", "ada"])
def test_agenda_edit_without_permission(login, everyone, group, who):
    client = login(everyone[who])
    assert client.get(f"/notes/agenda/{group.pk}/edit/").status_code == 404
    assert (
        client.post(f"/notes/agenda/{group.pk}/edit/", posted(1, template_rows())).status_code
        == 404
    )
    assert stored(group) == []


def test_head_of_peer_work_facilitating_sees_and_changes_the_agenda(login, everyone):
    hana, alice = everyone["hana"], everyone["alice"]
    session = create_co_reflection(
        by=hana.user,
        lead=hana,
        participants=[alice],
        date=WEDNESDAY,
        start_time=dt.time(10, 0),
        duration_minutes=180,
        modality="video",
        location="",
    )
    client = login(hana)
    assert "Change the agenda" in client.get(f"/sessions/{session.pk}/").content.decode()
    assert (
        client.post(f"/notes/agenda/{session.pk}/edit/", posted(1, template_rows())).status_code
        == 302
    )
    assert stored(session) == DEFAULT


def test_one_to_one_has_no_agenda(login, everyone, held):
    assert login(everyone["sam"]).get(f"/notes/agenda/{held.pk}/edit/").status_code == 404
