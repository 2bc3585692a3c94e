from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from coreflect.agreements.access import may_have_agreements
from coreflect.authorization import Permission, has_permission, person_of
from coreflect.disclosures.access import may_open_disclosures
from coreflect.governance.access import may_have_concerns, may_view_counts
from coreflect.notes.access import may_have_notes
from coreflect.notes.models_in_use import may_read_models
from coreflect.signin.state import used_second_factor
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
        "can_have_notes": SimpleLazyObject(lambda: may_have_notes(user)),
        "can_view_notes_register": has_permission(user, Permission.VIEW_NOTES_REGISTER)
        or has_permission(user, Permission.VIEW_SERVICE_NOTES_REGISTER),
        # The notes list, the register and the policy page link to the reflective models.
        "can_read_models": SimpleLazyObject(lambda: may_read_models(user)),
        "can_open_disclosures": SimpleLazyObject(
            lambda: may_open_disclosures(user, today=timezone.localdate())
        ),
        "can_view_disclosure_counts": has_permission(user, Permission.VIEW_DISCLOSURE_COUNTS),
        "can_review_retention": has_permission(user, Permission.REVIEW_RETENTION),
        "can_view_audit_log": has_permission(user, Permission.VIEW_AUDIT_LOG),
        # Development may leave the second factor optional (settings.REQUIRE_SECOND_FACTOR):
        # a banner says so to anyone signed in without one.
        "second_factor_optional": user.is_authenticated
        and not settings.REQUIRE_SECOND_FACTOR
        and not used_second_factor(request),
        # Where one is required, a sign-in without it reaches no page the menu offers
        # (coreflect/signin/middleware.py), so the menu is not shown until it has one.
        "second_factor_pending": user.is_authenticated
        and settings.REQUIRE_SECOND_FACTOR
        and not used_second_factor(request),
        "can_manage_people": has_permission(user, Permission.MANAGE_PEOPLE),
        # Concerns about supervision: one's own (and those raised with one), and the counts.
        "can_have_concerns": SimpleLazyObject(
            lambda: may_have_concerns(user, on=timezone.localdate())
        ),
        "can_view_concern_counts": may_view_counts(user),
        # Peer workers (supervisees and supervisors), line managers, the head of peer work:
        # decided from the role, without a query on every page.
        "can_read_agreements": may_have_agreements(user),
    }
