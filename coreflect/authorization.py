"""Who may do what: a Permission enum, roles as plain classes, one has_permission().

Row-level reach (whose records a user may see, which sessions they may record or correct)
lives in supervision/access.py, because it follows supervision relationships; this module says
what each role may do at all.
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest

from coreflect.people.models import Person, Role


class Permission(StrEnum):
    VIEW_ALL_PEOPLE = "view_all_people"
    VIEW_SERVICE_PEOPLE = "view_service_people"
    # Facilitate co-reflections whatever one supervises (one-to-ones follow the relationship).
    RECORD_SESSIONS = "record_sessions"
    # Correct a closed record (a session whose lead no longer holds the relationship): any
    # person's, or those of people in one's own service.
    CORRECT_ANY_SESSION = "correct_any_session"
    CORRECT_SERVICE_SESSIONS = "correct_service_sessions"
    MANAGE_RELATIONSHIPS = "manage_relationships"
    IMPORT_DATA = "import_data"
    CHANGE_POLICY = "change_policy"
    # The notes register (audit KPI 1): states and dates of notes, never their content; for
    # every supervisor, or those of one's own service.
    VIEW_NOTES_REGISTER = "view_notes_register"
    VIEW_SERVICE_NOTES_REGISTER = "view_service_notes_register"
    # Add reflective models to the organisation's list.
    MANAGE_REFLECTIVE_MODELS = "manage_reflective_models"
    # How many disclosures on each ground in each quarter (spec §5): counts only, never what
    # was shared or about whom.
    VIEW_DISCLOSURE_COUNTS = "view_disclosure_counts"
    # Review notes past their retention date and delete them (spec §5): names and dates only,
    # never what the notes say; each deletion leaves a tombstone.
    REVIEW_RETENTION = "review_retention"
    # Search and download the audit log (never note or disclosure content: not in it).
    VIEW_AUDIT_LOG = "view_audit_log"
    # Add and edit people, their role and team, starts and leaving dates (coreflect/staff);
    # never the privileged roles (people.models.PRIVILEGED_ROLES).
    MANAGE_PEOPLE = "manage_people"
    # Give anyone any role, privileged ones included, after a recent second factor; the
    # person's own role must be administrator (a superuser without one may not).
    GRANT_ROLES = "grant_roles"
    # Anyone's escalation route on their page (everyone sees their own), and how many concerns
    # were raised in each service and quarter: counts only, never who, with whom or what.
    VIEW_ANY_ESCALATION_ROUTE = "view_any_escalation_route"
    VIEW_CONCERN_COUNTS = "view_concern_counts"
    # Read any supervision agreement (seed 000 §5.11: available to managers on request); the
    # two who made it and the supervisee's line manager read theirs (agreements/access.py).
    READ_AGREEMENTS = "read_agreements"


class BaseRole:
    description = ""
    permissions: frozenset[Permission] = frozenset()


class HeadOfPeerWork(BaseRole):
    description = (
        "Leads peer work; sees every row of the matrix, sets the policy, keeps who supervises "
        "whom, corrects closed session records, reviews notes past their retention date, sees "
        "everyone's escalation route and how many concerns each service raised."
    )
    permissions = frozenset(
        {
            Permission.VIEW_ALL_PEOPLE,
            Permission.RECORD_SESSIONS,
            Permission.CORRECT_ANY_SESSION,
            Permission.MANAGE_RELATIONSHIPS,
            Permission.CHANGE_POLICY,
            Permission.VIEW_NOTES_REGISTER,
            Permission.MANAGE_REFLECTIVE_MODELS,
            Permission.VIEW_DISCLOSURE_COUNTS,
            Permission.REVIEW_RETENTION,
            Permission.MANAGE_PEOPLE,
            Permission.VIEW_ANY_ESCALATION_ROUTE,
            Permission.VIEW_CONCERN_COUNTS,
            Permission.READ_AGREEMENTS,
        }
    )


class ServiceLead(BaseRole):
    description = (
        "Peer Lead or Co-ordinator: sees the matrix for their service and corrects its closed "
        "session records."
    )
    permissions = frozenset(
        {
            Permission.VIEW_SERVICE_PEOPLE,
            Permission.RECORD_SESSIONS,
            Permission.CORRECT_SERVICE_SESSIONS,
            Permission.VIEW_SERVICE_NOTES_REGISTER,
        }
    )


class PeerSupervisor(BaseRole):
    description = "A peer-work role that may supervise others and facilitate co-reflection."
    permissions = frozenset({Permission.RECORD_SESSIONS})


class PeerWorker(BaseRole):
    description = "Sees their own attendance."


class LineManager(BaseRole):
    description = "Sees the attendance of their reports, never note content."


class Governance(BaseRole):
    description = (
        "Governance and audit: sees every row of the matrix and searches the audit log, never "
        "note content."
    )
    permissions = frozenset(
        {
            Permission.VIEW_ALL_PEOPLE,
            Permission.VIEW_NOTES_REGISTER,
            Permission.VIEW_DISCLOSURE_COUNTS,
            Permission.VIEW_AUDIT_LOG,
        }
    )


class Administrator(BaseRole):
    description = (
        "Runs the system: imports, policy, who supervises whom; sees the matrix, never note "
        "content."
    )
    permissions = frozenset(
        {
            Permission.VIEW_ALL_PEOPLE,
            Permission.MANAGE_RELATIONSHIPS,
            Permission.IMPORT_DATA,
            Permission.CHANGE_POLICY,
            Permission.MANAGE_REFLECTIVE_MODELS,
            Permission.VIEW_AUDIT_LOG,
            Permission.MANAGE_PEOPLE,
            Permission.GRANT_ROLES,
        }
    )


ROLES: dict[str, type[BaseRole]] = {
    Role.HEAD_OF_PEER_WORK: HeadOfPeerWork,
    Role.PEER_LEAD: ServiceLead,
    Role.PEER_COORDINATOR: ServiceLead,
    Role.SENIOR_PEER_WORKER: PeerSupervisor,
    Role.PEER_PRACTITIONER: PeerSupervisor,
    Role.PEER_WORKER: PeerWorker,
    Role.PEER_SUPPORT_WORKER: PeerWorker,
    Role.LINE_MANAGER: LineManager,
    Role.EXECUTIVE_DIRECTOR: LineManager,
    Role.GOVERNANCE: Governance,
    Role.ADMIN: Administrator,
}


def person_of(user: User | AnonymousUser) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def role_of(user: User | AnonymousUser) -> type[BaseRole] | None:
    person = person_of(user)
    if person is not None:
        return ROLES[person.role]
    # A superuser made with createsuperuser, before any people exist, runs the system.
    if user.is_authenticated and user.is_superuser:
        return Administrator
    return None


def has_permission(user: User | AnonymousUser, permission: Permission) -> bool:
    role = role_of(user)
    return role is not None and permission in role.permissions


def user_with(request: HttpRequest, permission: Permission) -> User:
    """The signed-in user if their role carries the permission; to anyone else the page does
    not exist (404, as for a record that does not exist)."""
    user = request.user
    if not isinstance(user, User) or not has_permission(user, permission):
        raise Http404("No such page")
    return user


def role_has(person: Person, permission: Permission) -> bool:
    """Whether this person's role carries the permission (for someone other than the user,
    such as the lead of a session, who may have no sign-in)."""
    return permission in ROLES[person.role].permissions
