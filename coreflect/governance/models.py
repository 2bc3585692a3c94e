from django.conf import settings
from django.db import models
from django.db.models import Q

from coreflect.governance.rules import LABELS, StepRole
from coreflect.people.models import Person, Service


class ConcernQuerySet(models.QuerySet["Concern"]):
    def involving(self, person: Person) -> "ConcernQuerySet":
        """Concerns this person raised, or that were raised with them: all they may read."""
        return self.filter(Q(person=person) | Q(raised_with=person))


class Concern(models.Model):
    """A person records that they raised a concern about their supervision at a step of their
    escalation route (spec §7): with whom, when, a short summary, later the outcome. Read by the
    person and whom they raised it with, nobody else; the head of peer work sees counts."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="concerns_raised")
    step = models.PositiveSmallIntegerField()
    step_role = models.CharField(max_length=32, choices=[(r.value, r.value) for r in StepRole])
    raised_with = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="concerns_received"
    )
    raised_on = models.DateField()
    # The person's service on the day they raised it: what the counts are by.
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    summary = models.TextField(max_length=1000)
    outcome = models.TextField(max_length=2000, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "raised_on"], name="concern_person"),
            models.Index(fields=["raised_with", "raised_on"], name="concern_raised_with"),
            models.Index(fields=["service", "raised_on"], name="concern_counting"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=5), name="concern_step"),
            models.CheckConstraint(
                condition=~Q(person=models.F("raised_with")), name="concern_not_with_self"
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="concern_has_summary"),
            # An outcome and when it was recorded go together.
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at__isnull=True)
                | (~Q(outcome="") & Q(outcome_at__isnull=False)),
                name="concern_outcome_paired",
            ),
        ]

    def __str__(self) -> str:
        return f"Concern raised by {self.person} at step {self.step} on {self.raised_on}"

    @property
    def step_label(self) -> str:
        return LABELS[StepRole(self.step_role)]
