import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coreflect.people.models import Locality, Person, Service


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


class SeriesQuerySet(models.QuerySet["SessionSeries"]):
    def groups(self) -> "SeriesQuerySet":
        return self.filter(kind=SessionKind.CO_REFLECTION)


class SessionSeries(models.Model):
    """Sessions that recur by a rule: a co-reflection group with its members, or a supervisor's
    one-to-ones with one supervisee. Its occurrences are real sessions, made ahead up to the
    policy's horizon (actions.top_up_series)."""

    external_id = models.CharField("group ID", max_length=64, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    name = models.CharField(max_length=200, blank=True)
    lead = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="led_series",
        help_text="The facilitator of a group, the supervisor of one-to-ones.",
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recurrence = models.CharField(
        max_length=200, help_text="An RFC 5545 RRULE, counted from the start date."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    modality = models.CharField(max_length=16, choices=Modality.choices)
    location = models.CharField(max_length=200, blank=True)
    # Occurrences exist for every day of the rule up to this one (None: none made yet).
    generated_until = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "session series"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="series_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="series_has_duration"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} series"


class SeriesMember(models.Model):
    """Someone invited to a series' occurrences from one day to another (None: open)."""

    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="series_memberships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person__name", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "person", "start_date"], name="series_member_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="series_member_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.series}"

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


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
    # The calendar UID: one for the session's life, whatever moves (docs/calendar.md).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(
        SessionSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    # The day the series' rule gave this occurrence (it may have been moved since); None for a
    # session outside a series, and for one the series' rule no longer gives.
    occurrence_date = models.DateField(null=True, blank=True)
    # Moved or changed on its own: changes to the series leave it as it is.
    detached = models.BooleanField(default=False)

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
            models.UniqueConstraint(
                fields=["series", "occurrence_date"], name="one_occurrence_a_day"
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
