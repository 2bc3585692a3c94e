from django.http import HttpRequest

from coreflect.authorization import Permission, has_permission, person_of


def current_person(request: HttpRequest) -> dict[str, object]:
    """The signed-in person and what the navigation may offer them."""
    user = request.user
    return {
        "me": person_of(user),
        "can_import": has_permission(user, Permission.IMPORT_DATA),
        "can_change_policy": has_permission(user, Permission.CHANGE_POLICY),
        "can_record_sessions": has_permission(user, Permission.RECORD_SESSIONS),
        "can_manage_relationships": has_permission(user, Permission.CHANGE_POLICY)
        or has_permission(user, Permission.IMPORT_DATA),
    }
