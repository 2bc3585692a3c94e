from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from coreflect.people.models import AbsenceType
from coreflect.policy.presets import PRESETS, PROTOCOL, HolidayRegion, Rounding
from coreflect.policy.recurrence import recurrence_problem


def validate_recurrence(value: str) -> None:
    problem = recurrence_problem(value)
    if problem is not None:
        raise ValidationError(problem[0].upper() + problem[1:] + ".")


class PolicyQuerySet(models.QuerySet["PolicySettings"]):
    def current(self) -> "PolicySettings":
        """The organisation's policy; made from the protocol preset the first time it is read
        (by an audited action, as any other write)."""
        policy = self.order_by("pk").first()
        if policy is not None:
            return policy
        from coreflect.policy.actions import create_policy

        return create_policy(by=None)


class PolicySettings(models.Model):
    """The organisation's policy: one row, its defaults the protocol preset's. Every app reads
    its numbers from here (compliance its requirements, supervision its session defaults)."""

    preset = models.CharField(
        max_length=32,
        default="protocol",
        choices=[(name, name.capitalize()) for name in PRESETS],
        help_text="The preset these numbers started from.",
    )
    year_start_month = models.PositiveSmallIntegerField(
        default=PROTOCOL.year_start_month,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month the recording year starts (4 = April).",
    )
    quarter_one_to_one = models.PositiveSmallIntegerField(
        "one-to-ones a quarter", default=PROTOCOL.quarter_one_to_one
    )
    quarter_co_reflection = models.PositiveSmallIntegerField(
        "co-reflections a quarter", default=PROTOCOL.quarter_co_reflection
    )
    year_total = models.PositiveSmallIntegerField("sessions a year", default=PROTOCOL.year_total)
    long_term_sickness_days = models.PositiveSmallIntegerField(
        "long-term sickness threshold (days)",
        default=PROTOCOL.long_term_sickness_days,
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
        choices=[(r.value, r.value.replace("_", " ")) for r in Rounding],
        default=PROTOCOL.rounding.value,
    )
    location_notice_days = models.PositiveSmallIntegerField(
        "location notice (calendar days)", default=PROTOCOL.location_notice_days
    )
    one_to_one_minutes = models.PositiveSmallIntegerField(
        "default one-to-one length (minutes)", default=PROTOCOL.one_to_one_minutes
    )
    co_reflection_minutes = models.PositiveSmallIntegerField(
        "default co-reflection length (minutes)", default=PROTOCOL.co_reflection_minutes
    )
    co_reflection_recurrence = models.CharField(
        "co-reflection groups meet",
        max_length=200,
        default=PROTOCOL.co_reflection_recurrence,
        validators=[validate_recurrence],
        help_text="A new group's recurrence, as an iCalendar RRULE: FREQ=MONTHLY;BYDAY=-1WE is "
        "the last Wednesday of each month.",
    )
    co_reflection_start_time = models.TimeField(
        "co-reflection groups start at", default=PROTOCOL.co_reflection_start_time
    )
    one_to_one_recurrence = models.CharField(
        "one-to-one series meet",
        max_length=200,
        default=PROTOCOL.one_to_one_recurrence,
        validators=[validate_recurrence],
        help_text="A new one-to-one series' recurrence: FREQ=MONTHLY;BYDAY=+2TU is the second "
        "Tuesday of each month.",
    )
    series_horizon_months = models.PositiveSmallIntegerField(
        "sessions of a series made ahead (months)",
        default=PROTOCOL.series_horizon_months,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="A series' sessions are made this far ahead, and topped up as time passes.",
    )
    holiday_region = models.CharField(
        "bank holidays of",
        max_length=20,
        choices=[
            (HolidayRegion.ENGLAND_AND_WALES.value, "England and Wales"),
            (HolidayRegion.SCOTLAND.value, "Scotland"),
            (HolidayRegion.NORTHERN_IRELAND.value, "Northern Ireland"),
        ],
        default=PROTOCOL.holiday_region.value,
        help_text="Their bank holidays are not working days for the notes deadlines.",
    )
    notes_share_working_days = models.PositiveSmallIntegerField(
        "notes shared within (working days)",
        default=PROTOCOL.notes_share_working_days,
        validators=[MinValueValidator(1)],
        help_text="Working days after the session by which the supervisor shares the notes.",
    )
    notes_response_working_days = models.PositiveSmallIntegerField(
        "notes answered within (working days)",
        default=PROTOCOL.notes_response_working_days,
        validators=[MinValueValidator(1)],
        help_text="Working days after sharing by which the supervisee accepts the notes or asks "
        "for changes.",
    )
    caseload_review_days = models.PositiveSmallIntegerField(
        "caseload review reminder (days)",
        default=PROTOCOL.caseload_review_days,
        validators=[MinValueValidator(1)],
        help_text="Someone the peer worker supports who has not come up in supervision for this "
        "many days is shown as due for discussion.",
    )
    retention_years = models.PositiveSmallIntegerField(
        "notes kept for (years after the supervision ends)",
        default=PROTOCOL.retention_years,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="After this, notes and the records of who read them are listed for the head of "
        "peer work to review. Nothing is deleted without that review.",
    )
    # The organisation's formal complaints route, shown beside every step of the escalation
    # route (coreflect/governance): a formal complaint remains open at any time (spec §7).
    complaints_text = models.TextField(
        "formal complaints route",
        default="You can make a formal complaint at any time, at any step or instead of them: "
        "your organisation's complaints and grievance procedure explains how, and your union "
        "or Freedom to Speak Up Guardian can support you.",
        help_text="Shown beside every step of each person's escalation route.",
    )
    complaints_url = models.URLField(
        "formal complaints link",
        default="https://nationalguardian.org.uk/speaking-up/",
        blank=True,
        help_text="Where the complaints or speaking-up procedure is published.",
    )
    agreement_minimum_minutes_a_month = models.PositiveSmallIntegerField(
        "agreement: least supervision a month (minutes)",
        default=PROTOCOL.agreement_minimum_minutes_a_month,
        validators=[MinValueValidator(1)],
        help_text="A supervision agreement may not agree less one-to-one time a month.",
    )
    agreement_sessions_a_month = models.PositiveSmallIntegerField(
        "agreement: one-to-ones a month (default)",
        default=PROTOCOL.agreement_sessions_a_month,
        validators=[MinValueValidator(1)],
        help_text="What a new agreement starts with; the two may agree more.",
    )
    agreement_due_days = models.PositiveSmallIntegerField(
        "agreement signed within (days of the relationship starting)",
        default=PROTOCOL.agreement_due_days,
        validators=[MinValueValidator(1)],
        help_text="After this, a relationship without a signed agreement is flagged.",
    )
    agreement_review_months = models.PositiveSmallIntegerField(
        "agreement reviewed every (months)",
        default=PROTOCOL.agreement_review_months,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Months after the last signing by which the two review the agreement.",
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
