"""Accounts for people (issue 10, point 4). A person with an email address and no account gets
one with no password, and an invitation: an email with a link to choose a password, which
works once (choosing a password changes what the link was signed with) and expires after
settings.PASSWORD_RESET_TIMEOUT. Where Entra ID single sign-on is on, the email says it can be
used instead. The emails go from a background task: an import can bring thousands of people."""

from collections.abc import Iterable

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from coreflect.audit.actions import record
from coreflect.people.models import Person


def invitation_link(user: User) -> str:
    """The absolute address at which the user chooses their first password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.BASE_URL}{path}"


def open_accounts(people: Iterable[Person], *, by: User | None) -> list[User]:
    """Give each of these people who has an email address and no account an account with no
    usable password, and queue their invitations. Returns the accounts made."""
    waiting = [p for p in people if p.email and p.user_id is None]
    if not waiting:
        return []
    taken = set(
        User.objects.filter(username__in=[p.external_id.lower() for p in waiting]).values_list(
            "username", flat=True
        )
    )
    users = []
    for person in waiting:
        username = person.external_id.lower()[:140]
        if username in taken:
            username = f"{username}-{person.pk}"
        taken.add(username)
        user = User(username=username, email=person.email)
        user.set_unusable_password()
        users.append(user)
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        if not all(user.pk for user in users):  # backends that return no keys (none used here)
            users = list(User.objects.filter(username__in=[u.username for u in users]))
        by_username = {user.username: user for user in users}
        for person, user in zip(waiting, users, strict=True):
            person.user = by_username[user.username]
        Person.objects.bulk_update(waiting, ["user"], batch_size=1000)
        record(by=by, action="account.open", accounts=len(users))
        ids = [user.pk for user in users]
        transaction.on_commit(lambda: send_invitations.enqueue(ids))
    return users


@task
def send_invitations(user_ids: list[int]) -> None:
    """Email each of these accounts its invitation (an account that has since chosen a
    password, or been disabled, gets none)."""
    accounts = User.objects.filter(pk__in=user_ids, is_active=True).select_related("person")
    for user in accounts:
        if user.has_usable_password() or not user.email:
            continue
        context = {
            "name": user.person.name if hasattr(user, "person") else user.get_username(),
            "link": invitation_link(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            "username": user.get_username(),
            "sso": bool(settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
            "base_url": settings.BASE_URL,
        }
        send_mail(
            render_to_string("signin/email/invitation_subject.txt", context).strip(),
            render_to_string("signin/email/invitation_message.txt", context),
            None,
            [user.email],
        )
        record(by=None, action="account.invite", target=user, email=user.email)
