"""Disclosures (spec §5, seed 000 §5.10): a supervisor sharing something from supervision
outside it, on one of the protocol's three grounds, on the record and visible to the worker."""

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Trim
from django.db.models.lookups import Exact

from coreflect.people.models import Person


class Ground(models.TextChoices):
    """The only grounds on which a supervisor may share (seed 000 §5.10); no other exists."""

    SAFEGUARDING = "safeguarding", "Duty of care or safeguarding"
    CONDUCT = "conduct", "Professional conduct or competency"
    POLICY_OR_LEGAL = "policy_or_legal", "Required by policy or legal proceedings"


def _blank(field: str) -> Exact:
    """The field is empty or only spaces (in SQL, so the database itself refuses it)."""
    return Exact(Trim(field), Value(""))


class Disclosure(models.Model):
    supervisee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="disclosures_about"
    )
    # Who shared: the supervisee's peer work supervisor on the day (checked by the action).
    supervisor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="disclosures_made"
    )
    ground = models.CharField(max_length=20, choices=Ground.choices)
    summary = models.TextField("what was shared")
    shared_with_name = models.CharField("shared with (name)", max_length=200)
    shared_with_role = models.CharField("shared with (role)", max_length=200)
    shared_on = models.DateField("date shared")
    told_first = models.BooleanField("discussed with the worker first")
    not_told_reason = models.TextField("why it was not discussed first", blank=True)
    recorded_at = models.DateTimeField()
    # When the worker first opened the page listing it; until then it is new to them.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_on", "-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["supervisee", "seen_at"], name="disclosure_unseen"),
            models.Index(fields=["shared_on", "ground"], name="disclosure_counting"),
        ]
        constraints = [
            # Written out rather than derived from Ground.values, so that adding a ground is a
            # deliberate migration, not a side effect of editing the choices.
            models.CheckConstraint(
                condition=Q(ground__in=["safeguarding", "conduct", "policy_or_legal"]),
                name="disclosure_has_ground",
            ),
            # Told first, or why not: never neither. A reason is kept only when not told.
            models.CheckConstraint(
                condition=Q(told_first=True, not_told_reason="")
                | Q(Q(told_first=False), ~Q(_blank("not_told_reason"))),
                name="disclosure_told_first_or_why",
            ),
            models.CheckConstraint(
                condition=~Q(_blank("summary"))
                & ~Q(_blank("shared_with_name"))
                & ~Q(_blank("shared_with_role")),
                name="disclosure_says_what_and_with_whom",
            ),
            models.CheckConstraint(
                condition=~Q(supervisee=F("supervisor")), name="disclosure_not_self"
            ),
        ]

    def __str__(self) -> str:
        # No content and no names: this string can reach logs and the admin.
        return f"Disclosure {self.pk} ({self.get_ground_display()}, {self.shared_on:%d %b %Y})"

    @property
    def is_new(self) -> bool:
        return self.seen_at is None
