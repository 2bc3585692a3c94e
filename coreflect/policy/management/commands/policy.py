from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.audit.actions import os_user
from coreflect.policy import actions
from coreflect.policy.forms import PolicyForm
from coreflect.policy.models import PolicySettings

# A list setting (a multiple choice on the page) is written as its values separated by commas.
LIST_SETTINGS = {
    name
    for name, field in PolicyForm.base_fields.items()
    if isinstance(field, forms.MultipleChoiceField)
}


def shown(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def in_words(value: Any) -> str:
    return shown(value) or "(none)"


class Command(BaseCommand):
    help = (
        "Show the organisation's policy (`policy show`: every setting as KEY=VALUE) or change "
        "it (`policy set KEY=VALUE [KEY=VALUE ...]`), with the same checks as the Policy page "
        "and an audit entry. A bad key or value changes nothing (docs/policy.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="{show,set}")
        verbs.add_parser("show", help="print every setting and its value, one a line")
        change = verbs.add_parser("set", help="change one or more settings")
        change.add_argument("changes", nargs="+", metavar="KEY=VALUE")
        change.add_argument(
            "--by",
            metavar="USERNAME",
            help="the Coreflect user making the change, for the audit log (by default the "
            "audit log records the operating-system user)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        policy = PolicySettings.objects.current()
        if options["verb"] == "show":
            self.stdout.write(f"preset={policy.preset}")
            for name in PolicyForm.Meta.fields:
                self.stdout.write(f"{name}={shown(getattr(policy, name))}")
            return
        by = None
        if options["by"] is not None:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f'There is no Coreflect user called "{options["by"]}".')
        # Read before the form: a bound ModelForm writes what it is given onto its instance.
        stored = PolicySettings.objects.values(*PolicyForm.Meta.fields).get(pk=policy.pk)
        form = PolicyForm(
            {**self._data(stored, options["changes"]), "version": policy.version},
            instance=policy,
        )
        if not form.is_valid():
            raise CommandError(
                "Nothing was changed:\n"
                + "\n".join(
                    f"{name}: {message}"
                    for name, messages in form.errors.items()
                    for message in messages
                )
            )
        changed = {n: value for n, value in form.changes().items() if value != stored[n]}
        if not changed:
            self.stdout.write("Nothing to change: the policy already has those values.")
            return
        actions.change_policy(
            by=by,
            policy=policy,
            version=form.cleaned_data["version"],
            changes=changed,
            detail={"via": "command", "os_user": os_user()},
        )
        for name, value in changed.items():
            self.stdout.write(f"{name}: {in_words(stored[name])} → {in_words(value)}")

    @staticmethod
    def _data(stored: dict[str, Any], changes: list[str]) -> dict[str, Any]:
        """The page's form data: the stored values, with these KEY=VALUE changes."""
        data = dict(stored)
        problems = []
        for change in changes:
            name, equals, value = change.partition("=")
            if not equals:
                problems.append(f"{change}: write each change as KEY=VALUE")
            elif name not in PolicyForm.Meta.fields:
                problems.append(
                    f"{name}: not a policy setting (the settings are "
                    f"{', '.join(PolicyForm.Meta.fields)})"
                )
            elif name in LIST_SETTINGS:
                data[name] = [v.strip() for v in value.split(",") if v.strip()]
            else:
                data[name] = value
        if problems:
            raise CommandError("Nothing was changed:\n" + "\n".join(problems))
        return data
