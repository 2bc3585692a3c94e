from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from coreflect.compliance import presets, rules
from coreflect.people.models import AbsenceType


class PolicyQuerySet(models.QuerySet["PolicySettings"]):
    def current(self) -> "PolicySettings":
        """The organisation's policy, made from the protocol preset on first use."""
        policy = self.order_by("pk").first()
        return policy if policy is not None else self.create()


class PolicySettings(models.Model):
    """The organisation's compliance policy: one row, defaults from the protocol preset."""

    preset = models.CharField(
        max_length=32,
        default="protocol",
        choices=[(name, name.capitalize()) for name in presets.PRESETS],
        help_text="The preset these numbers started from.",
    )
    year_start_month = models.PositiveSmallIntegerField(
        default=presets.PROTOCOL.year_start_month,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month the recording year starts (4 = April).",
    )
    quarter_one_to_one = models.PositiveSmallIntegerField(
        "one-to-ones a quarter", default=presets.PROTOCOL.quarter_one_to_one
    )
    quarter_co_reflection = models.PositiveSmallIntegerField(
        "co-reflections a quarter", default=presets.PROTOCOL.quarter_co_reflection
    )
    year_total = models.PositiveSmallIntegerField(
        "sessions a year", default=presets.PROTOCOL.year_total
    )
    long_term_sickness_days = models.PositiveSmallIntegerField(
        "long-term sickness threshold (days)",
        default=presets.PROTOCOL.long_term_sickness_days,
        validators=[MinValueValidator(1)],
        help_text="Consecutive calendar days of sickness that reduce requirements pro rata.",
    )
    prorating_absence_types = models.JSONField(
        "other absence types that reduce requirements",
        default=list,
        blank=True,
        help_text=f"Any of: {', '.join(AbsenceType.values)}.",
    )
    rounding = models.CharField(
        max_length=8,
        choices=[(r.value, r.value.replace("_", " ")) for r in rules.Rounding],
        default=presets.PROTOCOL.rounding.value,
    )
    location_notice_days = models.PositiveSmallIntegerField(
        "location notice (calendar days)", default=presets.PROTOCOL_LOCATION_NOTICE_DAYS
    )
    one_to_one_minutes = models.PositiveSmallIntegerField(
        "default one-to-one length (minutes)", default=presets.PROTOCOL_ONE_TO_ONE_MINUTES
    )
    co_reflection_minutes = models.PositiveSmallIntegerField(
        "default co-reflection length (minutes)",
        default=presets.PROTOCOL_CO_REFLECTION_MINUTES,
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "policy"
        verbose_name_plural = "policy"

    def __str__(self) -> str:
        return f"Policy (from the {self.preset} preset)"

    def values(self) -> rules.Policy:
        return rules.Policy(
            year_start_month=self.year_start_month,
            quarter_one_to_one=self.quarter_one_to_one,
            quarter_co_reflection=self.quarter_co_reflection,
            year_total=self.year_total,
            long_term_sickness_days=self.long_term_sickness_days,
            prorating_absence_types=frozenset(self.prorating_absence_types),
            rounding=rules.Rounding(self.rounding),
        )


class PersonRevision(models.Model):
    """A token that changes whenever anything in the person's matrix row may have changed,
    kept by database triggers (see revisions.py). No foreign key: the triggers also fire while
    a person is being deleted."""

    person_id = models.BigIntegerField(primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"person {self.person_id}: {self.token}"
