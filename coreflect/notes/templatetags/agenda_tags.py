from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from coreflect.authorization import person_of
from coreflect.notes.agenda_views import agenda_of, is_member
from coreflect.supervision.models import Session

register = template.Library()


@register.simple_tag(takes_context=True)
def agenda_panel(context: template.Context, session: Session) -> SafeString:
    """On a co-reflection's session page, for its facilitator and invited members only: the
    agenda with each item's time and the total; the facilitator gets the link to change it."""
    request = context["request"]
    me = person_of(request.user)
    if me is None or not is_member(me, session):
        return mark_safe("")  # noqa: S308
    return render_to_string(
        "notes/_agenda.html",
        {
            "session": session,
            "agenda": agenda_of(session),
            "may_change": session.lead_id == me.pk and not session.is_cancelled,
        },
        request=request,
    )
