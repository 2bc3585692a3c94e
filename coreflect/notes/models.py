"""The record of a one-to-one that supervisor and supervisee make together (spec §4).

Everything in these tables but the dates and states is note content: readable only by the
supervisee and the supervisor who held the session (spec §5), so none of it is in the admin,
an export or a list that anyone else opens. The free text is encrypted at rest
(coreflect/notes/encryption.py); caseload labels are pseudonyms or initials and stay plain.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from coreflect.notes.encryption import EncryptedJSONField, EncryptedTextField
from coreflect.people.models import Person
from coreflect.supervision.models import Session, SupervisionRelationship


class NotesState(models.TextChoices):
    NOT_WRITTEN = "not_written", "Not written"
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared, waiting for an answer"
    CHANGES_REQUESTED = "changes_requested", "Changes asked for"
    REVIEW_TOGETHER = "review_together", "To review together"
    ACCEPTED = "accepted", "Accepted"


class PeerValue(models.TextChoices):
    """The six peer support values a reflection may be tagged with (spec §4)."""

    AUTHENTICITY = "authenticity", "Authenticity"
    RELATIONSHIP = "relationship", "Relationship"
    VALIDATION = "validation", "Validation"
    RESPECT = "respect", "Respect"
    MUTUALITY = "mutuality", "Mutuality"
    EMPOWERMENT = "empowerment", "Empowerment"


class ReflectiveModel(models.Model):
    """A way of reflecting, as headings with prompts; the organisation adds its own."""

    name = models.CharField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    # [{"heading": "What?", "prompt": "…"}, …]
    prompts = models.JSONField(default=list)
    is_default = models.BooleanField(
        default=False, help_text="Used for every supervision that has not agreed another."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_model"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RequestState(models.TextChoices):
    REQUESTED = "requested", "Asked for"
    AGREED = "agreed", "Agreed"
    DECLINED = "declined", "Declined"


class ModelRequest(models.Model):
    """A supervisee asks to reflect with another model in their supervision; the supervisor
    agrees or declines. The latest agreed request of a relationship is its model."""

    relationship = models.ForeignKey(
        SupervisionRelationship, on_delete=models.CASCADE, related_name="model_requests"
    )
    model = models.ForeignKey(ReflectiveModel, on_delete=models.PROTECT, related_name="requests")
    state = models.CharField(
        max_length=12, choices=RequestState.choices, default=RequestState.REQUESTED
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship"],
                condition=Q(state="requested"),
                name="one_open_model_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.model} for {self.relationship}"


class Notes(models.Model):
    """The notes of one held one-to-one: their state, and versions holding the text."""

    # Notes go only by a retention review (coreflect/retention), never with their session.
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="notes")
    state = models.CharField(max_length=20, choices=NotesState.choices, default=NotesState.DRAFT)
    # Optimistic lock: a form carries the number it was opened at; a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    caseload: "models.ManyToManyField[CaseloadEntry, Any]" = models.ManyToManyField(
        "CaseloadEntry", blank=True, related_name="notes", verbose_name="people discussed"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "notes"
        constraints = [
            models.CheckConstraint(condition=~Q(state="not_written"), name="notes_row_is_written")
        ]

    def __str__(self) -> str:
        return f"Notes of {self.session}"


class NotesEvent(models.Model):
    """Each change of state, with who and when: the register's dates come from these, so a
    register as of an earlier day shows the notes as they were then."""

    notes = models.ForeignKey(Notes, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=20, choices=NotesState.choices)
    on = models.DateField(help_text="The day in Europe/London.")
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["notes", "on"], name="notes_event_day")]

    def __str__(self) -> str:
        return f"{self.get_state_display()} on {self.on:%d %b %Y}"


class VersionKind(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared by the supervisor"
    PROPOSED = "proposed", "Changes proposed by the supervisee"


# The free-text fields of the template (spec §4), in its order.
TEXT_FIELDS = (
    "wellbeing",
    "actions_review",
    "challenging",
    "gone_well",
    "caseload_examples",
    "topics_to_return",
)


class LastNotesAgreed(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No, not yet"
    NOT_APPLICABLE = "n/a", "There were no earlier notes"


class NotesVersion(models.Model):
    """One version of the notes' text. The supervisor's draft changes in place until it is
    shared; a shared version and a supervisee's proposal never change again."""

    notes = models.ForeignKey(Notes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    wellbeing = EncryptedTextField("wellbeing check-in", blank=True)
    actions_review = EncryptedTextField("review of last time's actions", blank=True)
    last_notes_agreed = models.CharField(
        "were the last notes agreed?", max_length=4, choices=LastNotesAgreed.choices, blank=True
    )
    challenging = EncryptedTextField("what has been challenging", blank=True)
    gone_well = EncryptedTextField("what has gone well", blank=True)
    caseload_examples = EncryptedTextField("examples from the caseload", blank=True)
    topics_to_return = EncryptedTextField("topics to return to", blank=True)
    reflective_model = models.ForeignKey(
        ReflectiveModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # One answer for each of the model's prompts, in order (the JSON list, encrypted whole).
    reflection = EncryptedJSONField(default=list, blank=True)
    values = models.JSONField("peer support values", default=list, blank=True)

    class Meta:
        ordering = ["notes", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notes", "number"], name="notes_version_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.notes}"


class Comment(models.Model):
    """The supervisee's own comment on a version."""

    version = models.ForeignKey(NotesVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.version}"


class ActionOwner(models.TextChoices):
    SUPERVISEE = "supervisee", "Supervisee"
    SUPERVISOR = "supervisor", "Supervisor"
    BOTH = "both", "Both"


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    """An action agreed in a session; open ones come back at every later session of the two
    until done or dropped."""

    notes = models.ForeignKey(Notes, on_delete=models.CASCADE, related_name="actions")
    text = EncryptedTextField()
    owner = models.CharField(max_length=10, choices=ActionOwner.choices)
    due = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=ActionState.choices, default=ActionState.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open", closed_on__isnull=True)
                | ~Q(state="open") & Q(closed_on__isnull=False),
                name="action_closed_on_when_closed",
            )
        ]

    def __str__(self) -> str:
        return f"Action agreed in {self.notes} ({self.get_state_display()})"


class Topic(models.Model):
    """Something one of the two wants to bring to a session (preparation)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="topics")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Topic for {self.session}"


class CaseloadEntry(models.Model):
    """Someone the peer worker supports, by pseudonym or initials only (never a full identity):
    the worker's own list, for discussing everyone over time (seed 003)."""

    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="caseload")
    label = models.CharField("pseudonym or initials", max_length=40)
    added_on = models.DateField()
    archived_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name_plural = "caseload entries"
        constraints = [
            models.UniqueConstraint(fields=["owner", "label"], name="caseload_label_unique")
        ]

    def __str__(self) -> str:
        return self.label


class NotesShare(models.Model):
    """The supervisee lets a later supervisor read these notes, until they withdraw it."""

    notes = models.ForeignKey(Notes, on_delete=models.CASCADE, related_name="shares")
    reader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes_shared_with")
    granted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notes", "reader"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_share",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notes} shared with {self.reader}"


# The items a supervisor may take to their own supervision: each part of the template, the
# reflection and the agreed actions (seed 000 Appendix 3).
OWN_SUPERVISION_PARTS = (*TEXT_FIELDS, "reflection", "actions")


class OwnSupervisionItem(models.Model):
    """The supervisor who held the session marks a part of a version the supervisee can read
    as taken to their own supervision (seed 000 Appendix 3). The supervisee sees the mark;
    withdrawing it keeps the record, with when."""

    notes = models.ForeignKey(Notes, on_delete=models.CASCADE, related_name="own_supervision")
    version = models.ForeignKey(NotesVersion, on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=20)
    # What the supervisor will take, in their words: note content, so encrypted.
    note = EncryptedTextField("what you will take", blank=True)
    marked_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["marked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "part"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_own_supervision_mark",
            ),
            models.CheckConstraint(
                condition=Q(part__in=OWN_SUPERVISION_PARTS), name="own_supervision_part_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} of {self.version}, taken to own supervision"

    @property
    def part_label(self) -> str:
        if self.part == "reflection":
            return "Reflection"
        if self.part == "actions":
            return "Agreed actions"
        return label_of(self.part)


class AgendaItem(models.Model):
    """One item of a co-reflection's agenda, copied from the template and editable."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    minutes = models.PositiveSmallIntegerField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return f"Agenda item {self.position} of {self.session}"


def label_of(name: str) -> str:
    """A NotesVersion field's label, capitalised, for reading and comparing."""
    label = str(getattr(NotesVersion._meta.get_field(name), "verbose_name", name))
    return label[:1].upper() + label[1:]
