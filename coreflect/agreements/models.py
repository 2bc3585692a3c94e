"""Supervision agreements (spec §6): one a peer work relationship, its versions, and the two
signatures of each.

A version is never changed once written (database triggers refuse any UPDATE of a version or a
signature, guard.py): a change is a new version, which both sign again. A version is signed
when it has both signatures; the one that completes it says so (`completes`), so the day an
agreement was last signed is one MAX.
"""

from django.db import models
from django.db.models import Q

from coreflect.agreements import rules
from coreflect.people.models import Person
from coreflect.supervision.models import SupervisionRelationship


class Agreement(models.Model):
    relationship = models.OneToOneField(
        SupervisionRelationship, on_delete=models.CASCADE, related_name="agreement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Agreement of {self.relationship}"


class Side(models.TextChoices):
    SUPERVISEE = "supervisee", "Supervisee"
    SUPERVISOR = "supervisor", "Supervisor"


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sessions_a_month = models.PositiveSmallIntegerField("one-to-ones a month")
    session_minutes = models.PositiveSmallIntegerField("length of a one-to-one (minutes)")
    usual_place = models.CharField("where we usually meet", max_length=300)
    changes_arranged = models.TextField("if this needs to change")
    notes_share_working_days = models.PositiveSmallIntegerField(
        "notes shared within (working days)"
    )
    notes_response_working_days = models.PositiveSmallIntegerField(
        "notes answered within (working days)"
    )
    # [{"key": …, "title": …, "text": …}]: the template's items (their key) and any added ("").
    items = models.JSONField()
    fingerprint = models.CharField(max_length=64, help_text="rules.fingerprint of the content.")
    written_by = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreement_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(sessions_a_month__gt=0, session_minutes__gt=0),
                name="agreement_version_meets",
            ),
            models.CheckConstraint(
                condition=Q(notes_share_working_days__gt=0, notes_response_working_days__gt=0),
                name="agreement_version_turnaround",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.agreement}"

    def content(self) -> dict[str, object]:
        return content_of(
            sessions_a_month=self.sessions_a_month,
            session_minutes=self.session_minutes,
            usual_place=self.usual_place,
            changes_arranged=self.changes_arranged,
            notes_share_working_days=self.notes_share_working_days,
            notes_response_working_days=self.notes_response_working_days,
            items=self.items,
        )

    @property
    def item_list(self) -> list[rules.Item]:
        return [rules.Item(i["key"], i["title"], i["text"]) for i in self.items]


def content_of(**fields: object) -> dict[str, object]:
    """What a version says, as its fingerprint is made of."""
    return dict(fields)


class Signature(models.Model):
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="signatures"
    )
    side = models.CharField(max_length=16, choices=Side.choices)
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="+")
    signed_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64, help_text="The fingerprint of what they read.")
    completes = models.BooleanField(help_text="The second of the two signatures.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "side"], name="signature_one_a_side"),
            models.UniqueConstraint(
                fields=["version"], condition=Q(completes=True), name="signature_one_completes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} signed {self.version}"


class ReviewRequest(models.Model):
    """Either of the two asking to review the agreement before its review date (spec §6)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="review_requests"
    )
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Review of {self.agreement} asked for"
