from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from coreflect.authorization import person_of
from coreflect.notes.models import Notes, NotesState
from coreflect.supervision.models import Session

register = template.Library()


@register.simple_tag(takes_context=True)
def notes_panel(context: template.Context, session: Session) -> SafeString:
    """On a one-to-one's session page, for its two people only: where its notes and
    preparation are, and their state in words. No note content here."""
    me = person_of(context["request"].user)
    if me is None:
        return mark_safe("")  # noqa: S308
    supervisee_ids = [a.person_id for a in session.attendance.all()]
    if me.pk != session.lead_id and me.pk not in supervisee_ids:
        return mark_safe("")  # noqa: S308
    try:
        state = session.notes.get_state_display()
    except Notes.DoesNotExist:
        state = NotesState.NOT_WRITTEN.label
    return render_to_string(
        "notes/_panel.html", {"session": session, "state": state}, request=context["request"]
    )
