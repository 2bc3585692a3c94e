from django import template
from django.utils.safestring import SafeString, mark_safe

from coreflect.supervision.models import Session

register = template.Library()


@register.simple_tag(takes_context=True)
def agenda_panel(context: template.Context, session: Session) -> SafeString:
    """The co-reflection's agenda for the session page (to be built)."""
    return mark_safe("")  # noqa: S308
