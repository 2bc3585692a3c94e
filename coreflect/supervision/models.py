import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coreflect.people.models import Person


class RelationshipType(models.TextChoices):
    PEER_WORK = "peer_work", "Peer work supervision"
    LINE_MANAGEMENT = "line_management", "Line management"
    CLINICAL = "clinical", "Clinical supervision"


class RelationshipQuerySet(models.QuerySet["SupervisionRelationship"]):
    def current(self, on: dt.date) -> "RelationshipQuerySet":
        """Relationships in force on the given date."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)

    def peer_work(self) -> "RelationshipQuerySet":
        return self.filter(type=RelationshipType.PEER_WORK)


class SupervisionRelationship(models.Model):
    supervisee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervisors")
    supervisor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervisees")
    type = models.CharField(max_length=20, choices=RelationshipType.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    supervisor_is_peer = models.BooleanField(
        "peer supervisor",
        default=True,
        help_text="The supervisor has lived-experience peer-role experience.",
    )

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["supervisee", "type", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisee", "supervisor", "type", "start_date"],
                name="relationship_unique",
            ),
            # At most one open-ended peer work supervisor; overlaps of dated ones are
            # refused by the actions and the import.
            models.UniqueConstraint(
                fields=["supervisee"],
                condition=Q(type="peer_work", end_date__isnull=True),
                name="one_open_peer_work_supervisor",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="relationship_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(supervisee=F("supervisor")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee} ({self.get_type_display()})"


class SessionKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one"
    CO_REFLECTION = "co_reflection", "Co-reflection"


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    CANCELLED_BY_SUPERVISEE = "cancelled_by_supervisee", "Cancelled by supervisee"
    CANCELLED_BY_SUPERVISOR = "cancelled_by_supervisor", "Cancelled by supervisor"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    APOLOGIES = "apologies", "Apologies"
    TENTATIVE = "tentative", "Tentative"
    INVITED = "invited", "Invited"


# Statuses that mean the person will not be there (spec §3, "scheduled").
NOT_COMING = frozenset(
    {
        AttendanceStatus.CANCELLED_BY_SUPERVISEE,
        AttendanceStatus.CANCELLED_BY_SUPERVISOR,
        AttendanceStatus.DID_NOT_ATTEND,
        AttendanceStatus.APOLOGIES,
    }
)


class Session(models.Model):
    external_id = models.CharField("session ID", max_length=64, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    lead = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="led_sessions",
        help_text="The supervisor of a one-to-one, the facilitator of a co-reflection.",
    )
    modality = models.CharField(max_length=16, choices=Modality.choices)
    location = models.CharField(max_length=200, blank=True)
    location_set_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancellation_reason = models.TextField(blank=True)
    alternative_offered = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-start_time"]
        indexes = [
            # The compliance count looks up each attendance row's session for its date, kind,
            # lead and whether it was cancelled: with them in the index it need not visit the
            # table (PostgreSQL).
            models.Index(
                fields=["id"],
                include=["date", "kind", "lead", "cancelled_at"],
                name="session_counting",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancellation_reason="")
                | Q(cancelled_at__isnull=False) & ~Q(cancellation_reason=""),
                name="session_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="session_has_duration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=32, choices=AttendanceStatus.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_unique")
        ]
        indexes = [
            models.Index(fields=["person", "session"], name="attendance_person"),
            # A person's attendance with its status, read from the index alone (PostgreSQL).
            models.Index(fields=["person"], include=["session", "status"], name="attendance_count"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}: {self.get_status_display()}"
