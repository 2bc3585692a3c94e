from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from coreflect.supervision import actions


class Command(BaseCommand):
    help = (
        "Make every series' sessions still missing up to the policy's horizon (run it daily; "
        "running it again makes nothing more). docs/calendar.md."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = actions.top_up_series(today=timezone.localdate())
        self.stdout.write(f"Made {made} session{'' if made == 1 else 's'}.")
