"""The audit log and the record of every read of note content (spec §5).

Both tables are append-only: database triggers refuse UPDATE, DELETE and TRUNCATE
(append_only.py, installed by migration 0003). So a row must never need changing, which is why
the actor is kept as a copied id and name rather than only a foreign key: Django carries out
on_delete=SET_NULL with an UPDATE, which the triggers would refuse when a user is deleted. The
foreign keys here have no database constraint and do nothing on delete: the id stays in the
row, pointing at no one, and the copied name says who it was.
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing that happened: who did what to which record, and when."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The id stays when the user is deleted (no constraint, nothing done on delete).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The audit log's search by action (an action, or its family by prefix), newest
            # first; the pattern operator class lets PostgreSQL use it for the prefix too.
            models.Index(
                fields=["action", "id"],
                name="audit_action",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class ReadHow(models.TextChoices):
    """The ways of reading notes, each one access record per read."""

    PAGE = "page", "Opened the notes page"
    VERSION = "version", "Opened one version"
    COMPARE = "compare", "Compared two versions"
    AT_HAND = "at_hand", "Shown at hand on the next session's page"
    WRITE = "write", "Opened them to edit"
    PDF = "pdf", "Downloaded them (PDF)"
    PDF_ALL = "pdf_all", "Downloaded them with all their notes (PDF)"
    API = "api", "Read through the API"


class NotesAccess(models.Model):
    """One read of one set of notes' content: who, which notes and version, when and how.

    It holds no note text. The reader, the person and the notes are copied ids (no foreign
    key constraints): the record outlives a deleted user, and notes deleted after their
    retention review, and still says who read what.
    """

    at = models.DateTimeField(db_index=True)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    reader_username = models.CharField(max_length=150)
    reader_name = models.CharField(max_length=200)
    person_pk = models.BigIntegerField(null=True, help_text="The reader's person id, if any.")
    notes_pk = models.BigIntegerField()
    session_pk = models.BigIntegerField()
    # None when the page showed only the notes' agreed actions (no version's text).
    version = models.PositiveIntegerField(null=True)
    # A comparison reads two versions: one record, the newer as version, the older here.
    compared_with = models.PositiveIntegerField(null=True)
    how = models.CharField(max_length=10, choices=ReadHow.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "notes accesses"
        indexes = [models.Index(fields=["notes_pk", "at"], name="notes_access_notes")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compared_with__isnull=True) | models.Q(how="compare"),
                name="notes_access_compared_only_when_comparing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader_name} read notes {self.notes_pk}"


class Tombstone(models.Model):
    """What a deletion after a retention review took away, and who did it and when: never what
    the notes said. One per set of notes deleted, counting what went with them.

    Append-only like the audit log. It is also the key to deleting access records: the
    triggers on audit_notesaccess let a row be deleted only when a tombstone for its notes
    exists (append_only.py), so a record of who read something goes only with a tombstone
    saying it went.
    """

    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    by_username = models.CharField(max_length=150)
    by_name = models.CharField(max_length=200)
    reason = models.CharField(max_length=500, help_text="Why, after review, they could go.")
    # The notes deleted, as copied ids and names: nothing points at rows that are gone.
    notes_pk = models.BigIntegerField(unique=True)
    session_pk = models.BigIntegerField()
    session_date = models.DateField()
    supervisee_pk = models.BigIntegerField()
    supervisee_name = models.CharField(max_length=200)
    supervisor_pk = models.BigIntegerField()
    supervisor_name = models.CharField(max_length=200)
    supervision_ended = models.DateField(null=True)
    retain_until = models.DateField()
    # How much went: versions of the notes, comments on them, topics brought to the session,
    # records of who read them.
    versions = models.PositiveIntegerField()
    comments = models.PositiveIntegerField()
    topics = models.PositiveIntegerField()
    access_records = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.by_name} deleted notes {self.notes_pk}"
