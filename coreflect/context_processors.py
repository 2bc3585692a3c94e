from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.supervision.access import may_manage_relationships, may_record_sessions


def current_person(request: HttpRequest) -> dict[str, object]:
    """The signed-in person and what the navigation may offer them."""
    user = request.user
    return {
        "me": person_of(user),
        "can_import": has_permission(user, Permission.IMPORT_DATA),
        "can_change_policy": has_permission(user, Permission.CHANGE_POLICY),
        # Asks the database (does this person supervise anyone now?) only when a page uses it.
        "can_record_sessions": SimpleLazyObject(lambda: may_record_sessions(user)),
        "can_manage_relationships": may_manage_relationships(user),
    }
