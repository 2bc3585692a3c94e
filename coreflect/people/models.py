from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Role(models.TextChoices):
    # Peer-work roles, most senior first (spec §1).
    HEAD_OF_PEER_WORK = "head_of_peer_work", "Head of Peer Work"
    PEER_LEAD = "peer_lead", "Peer Lead"
    PEER_COORDINATOR = "peer_coordinator", "Peer Co-ordinator"
    SENIOR_PEER_WORKER = "senior_peer_worker", "Senior Peer Worker"
    PEER_PRACTITIONER = "peer_practitioner", "Peer Practitioner"
    PEER_WORKER = "peer_worker", "Peer Worker"
    PEER_SUPPORT_WORKER = "peer_support_worker", "Peer Support Worker"
    # Other roles in the structure.
    LINE_MANAGER = "line_manager", "Line manager"
    EXECUTIVE_DIRECTOR = "executive_director", "Executive Director of Therapies"
    GOVERNANCE = "governance", "Governance and audit"
    ADMIN = "admin", "Administrator"


PEER_WORK_ROLES = frozenset(
    {
        Role.HEAD_OF_PEER_WORK,
        Role.PEER_LEAD,
        Role.PEER_COORDINATOR,
        Role.SENIOR_PEER_WORKER,
        Role.PEER_PRACTITIONER,
        Role.PEER_WORKER,
        Role.PEER_SUPPORT_WORKER,
    }
)

# Roles granted only by an administrator on the role page, after a recent second factor
# (coreflect/staff): never by the add and edit pages, nor by an upload (coreflect/imports).
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.GOVERNANCE, Role.HEAD_OF_PEER_WORK})


class AbsenceType(models.TextChoices):
    SICKNESS = "sickness", "Sickness"
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    PARENTAL = "parental", "Parental leave"
    OTHER = "other", "Other"


class Service(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="localities")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="locality_unique_in_service")
        ]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet["Person"]):
    def peer_workers(self) -> "PersonQuerySet":
        return self.filter(role__in=PEER_WORK_ROLES)


class Person(models.Model):
    external_id = models.CharField(
        "person ID", max_length=64, unique=True, help_text="The key used by imports."
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    is_carer_peer = models.BooleanField(
        "carer peer", default=False, help_text="Lived experience of caring for others."
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "external_id"]
        verbose_name_plural = "people"
        indexes = [
            # The people list pages through everyone in this order (coreflect/staff).
            models.Index(fields=["name", "id"], name="person_name_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(line_manager=F("id")), name="person_not_own_line_manager"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_peer_worker(self) -> bool:
        return self.role in PEER_WORK_ROLES


class Placement(models.Model):
    """A period in a role and team: the history behind Person.role/service/locality."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="placements")
    role = models.CharField(max_length=32, choices=Role.choices)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} as {self.get_role_display()} from {self.start_date}"


class EmploymentPeriod(models.Model):
    """A period of employment in a peer-work role; several per person are allowed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Blank while ongoing.")

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["person", "start_date"], name="employment_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="employment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} employed {self.start_date} to {self.end_date or 'now'}"


class Absence(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    type = models.CharField(max_length=16, choices=AbsenceType.choices)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["person", "type", "start_date"], name="absence_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_type_display()} {self.start_date} to {self.end_date}"
