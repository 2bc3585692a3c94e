from django.db import models

from coreflect.compliance import rules
from coreflect.policy.models import PolicySettings


class PersonRevision(models.Model):
    """A token that changes whenever anything the person's matrix result is computed from may
    have changed, kept by database triggers (see revisions.py). No foreign key: the triggers
    also fire while a person is being deleted."""

    person_id = models.BigIntegerField(primary_key=True)
    token = models.BigIntegerField()

    class Meta:
        # Everyone's tokens in one index-only scan, for matrix.refresh's checksum.
        indexes = [models.Index(fields=["person_id"], include=["token"], name="revision_token")]

    def __str__(self) -> str:
        return f"person {self.person_id}: {self.token}"


STATUS_CHOICES = [(status.value, status.label) for status in rules.Status]
STATUS_FIELDS = ["q1_status", "q2_status", "q3_status", "q4_status", "year_status"]


class StoredResult(models.Model):
    """One person's matrix result for a recording year, as-of date and policy, stamped with the
    revision token the person had before it was computed (see matrix.py). A row whose token is
    no longer the person's is stale, and is recomputed before anything is read. Everyone with
    a token has one, in the matrix that year (`member`) or not. No foreign key, for the same
    reason as PersonRevision; reads join the people for what they show."""

    person_id = models.BigIntegerField()
    start_year = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    policy = models.CharField(max_length=16, help_text="matrix.fingerprint() of the policy.")
    token = models.BigIntegerField(help_text="The person's revision token, read before computing.")
    computed_on = models.DateField(help_text="Rows not computed since the day before go.")
    name = models.CharField(max_length=200, help_text="The person's name, to list in order.")
    member = models.BooleanField(
        help_text="In the year's matrix: a peer-work role, employment overlapping the year."
    )
    q1_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    q2_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    q3_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    q4_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    year_status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    supervisor_id = models.BigIntegerField(
        null=True, help_text="The current peer work supervisor on the as-of date (in the year)."
    )
    counts = models.JSONField(help_text="The 16 numbers of rules.COUNT_KEYS.")
    eligible_days = models.JSONField(help_text="Eligible days in each quarter, then the year.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start_year", "as_of", "policy", "person_id"], name="stored_result_key"
            )
        ]
        indexes = [
            # In name order, with the stamp and the statuses: matrix.refresh's checksum, the
            # overview's counts and lists and a page of the matrix are index-only scans of it
            # on PostgreSQL (the lists and the page stopping once they have enough). SQLite
            # makes it a plain index.
            models.Index(
                fields=["start_year", "as_of", "policy", "name", "person_id"],
                include=["token", "computed_on", "member", *STATUS_FIELDS, "supervisor_id"],
                name="stored_result_by_name",
            ),
            models.Index(fields=["computed_on"], name="stored_result_computed_on"),
        ]

    def __str__(self) -> str:
        return f"person {self.person_id}, {self.start_year} as of {self.as_of}"


def current_policy() -> rules.Policy:
    """The organisation's attendance requirements (spec §3), as the rules take them."""
    return rules.requirements_of(PolicySettings.objects.current())
