"""Policy presets: every number of the spec lives here and nowhere else.

"protocol" is the trust's Peer Work Supervision Protocol (spec §2–§3) and the default.
"weekly" is weekly one-hour supervision with no group requirement (seed 002).

Plain Python, no Django: the pure rules modules of every app may read a preset.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class HolidayRegion(StrEnum):
    """Whose bank holidays are not working days (spec §4)."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


@dataclass(frozen=True)
class AgendaItem:
    """One item of the co-reflection agenda template (seed 000 Appendix 5)."""

    title: str
    minutes: int
    description: str


# The co-reflection agenda of the protocol, in our own words: 30 + 50 + 20 + 50 + 30 minutes.
PROTOCOL_AGENDA = (
    AgendaItem(
        "Checking in",
        30,
        "Each of us says how we are and something we have been doing or have coming up.",
    ),
    AgendaItem(
        "Supportive space",
        50,
        "Each of us brings something from our work or peer support practice that has been "
        "hard, and the group thinks it through together.",
    ),
    AgendaItem("Break", 20, ""),
    AgendaItem(
        "Positive reflections",
        50,
        "Each of us brings an example of good practice or good news: our own, or something "
        "we saw a colleague do.",
    ),
    AgendaItem(
        "Checking out",
        30,
        "How are we now? What would we change next time, and keep? What are we taking "
        "away? Plans for looking after ourselves after the session.",
    ),
)


@dataclass(frozen=True)
class AgreementItem:
    """One item of the supervision agreement template (seed 000 Appendix 3). A standard item
    (every item of the template) may be reworded but never removed (spec §6)."""

    key: str
    title: str
    text: str


# The protocol's supervision agreement, in our own words (seed 000 Appendix 3). How often, how
# long, where, how changes are arranged and the notes turnaround are fields of the agreement
# itself (their defaults are the policy's); these are its written items.
PROTOCOL_AGREEMENT = (
    AgreementItem(
        "supervisee_rights",
        "The supervisee's rights",
        "Supervision comes first in the time and place we have booked. A copy of the guidance "
        "and of the structure we follow. The notes of each session, to read and agree, within "
        "the turnaround below. This agreement reviewed at least once a year, and sooner if I "
        "ask.",
    ),
    AgreementItem(
        "supervisee_responsibilities",
        "The supervisee's responsibilities",
        "Come prepared. Carry out the actions we agree, in the time we agree. Answer the notes "
        "within the turnaround below: agree them or ask for changes. Tell my supervisor in good "
        "time if I cannot make the time or place.",
    ),
    AgreementItem(
        "supervisor_rights",
        "The supervisor's rights",
        "Room in supervision to give feedback. A supervisee who comes prepared. To take parts "
        "of a session to my own supervision. This agreement reviewed at least once a year, and "
        "sooner if I ask.",
    ),
    AgreementItem(
        "supervisor_responsibilities",
        "The supervisor's responsibilities",
        "Follow the guidance and the structure of a session. Carry out the actions we agree, in "
        "the time we agree. Send the invitation and book the room. Tell my supervisee in good "
        "time if I cannot make the time or place.",
    ),
    AgreementItem(
        "confidentiality",
        "Confidentiality and record keeping",
        "We both keep the agreed notes. What we discuss stays between us, unless there is a "
        "concern about duty of care or safeguarding, the supervisor takes something to their "
        "own supervision, or the organisation's policies or legal proceedings require the notes "
        "to be shared.",
    ),
    AgreementItem(
        "troubleshooting",
        "Troubleshooting",
        "A shared understanding of supervision helps us make the most of it and avoid "
        "problems, so we read the supervision guidance together as part of making this "
        "agreement. If supervision is not working, we follow the escalation route in the "
        "guidance.",
    ),
)


class Rounding(StrEnum):
    HALF_UP = "half_up"
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Preset:
    """Every setting of the policy, as a preset gives it."""

    # Attendance requirements (spec §3).
    year_start_month: int
    quarter_one_to_one: int
    quarter_co_reflection: int
    year_total: int
    long_term_sickness_days: int
    prorating_absence_types: frozenset[str]
    rounding: Rounding
    # Sessions (spec §2).
    location_notice_days: int
    one_to_one_minutes: int
    co_reflection_minutes: int
    co_reflection_agenda: tuple[AgendaItem, ...]
    # Series of sessions (RFC 5545 RRULEs, counted from the series' first day), and how far
    # ahead their occurrences are made.
    co_reflection_recurrence: str
    co_reflection_start_time: dt.time
    one_to_one_recurrence: str
    series_horizon_months: int
    # Notes (spec §4).
    holiday_region: HolidayRegion
    notes_share_working_days: int
    notes_response_working_days: int
    caseload_review_days: int
    # Retention (spec §5): notes and the records of who read them are kept this many years
    # after the supervision ends, then listed for the head of peer work to review.
    retention_years: int
    # Supervision agreements (spec §6).
    agreement_template: tuple[AgreementItem, ...]
    agreement_minimum_minutes_a_month: int
    agreement_sessions_a_month: int
    agreement_due_days: int
    agreement_review_months: int


PROTOCOL = Preset(
    year_start_month=4,
    quarter_one_to_one=2,
    quarter_co_reflection=1,
    year_total=8,
    long_term_sickness_days=28,
    prorating_absence_types=frozenset(),
    rounding=Rounding.HALF_UP,
    location_notice_days=7,
    one_to_one_minutes=60,
    co_reflection_minutes=180,
    co_reflection_agenda=PROTOCOL_AGENDA,
    # Spec §2: co-reflection recurs on the last Wednesday of each month; the time of day is the
    # seed's usual afternoon (13:00, three hours). One-to-ones: monthly, the second Tuesday.
    co_reflection_recurrence="FREQ=MONTHLY;BYDAY=-1WE",
    co_reflection_start_time=dt.time(13, 0),
    one_to_one_recurrence="FREQ=MONTHLY;BYDAY=+2TU",
    series_horizon_months=12,
    holiday_region=HolidayRegion.ENGLAND_AND_WALES,
    notes_share_working_days=5,
    notes_response_working_days=5,
    # Seed 003: over time, discuss everyone the worker supports; a quarter by default.
    caseload_review_days=91,
    # Supervision records in NHS organisations are commonly kept six years after the
    # relationship ends (seeds and spec give no figure; docs/policy.md says so).
    retention_years=6,
    agreement_template=PROTOCOL_AGREEMENT,
    # Appendix 3: "minimum 1 hour per month".
    agreement_minimum_minutes_a_month=60,
    agreement_sessions_a_month=1,
    # §5.6: "at the start ... if not done then, as soon as possible": four weeks (our reading).
    agreement_due_days=28,
    agreement_review_months=12,
)

WEEKLY = Preset(
    year_start_month=4,
    quarter_one_to_one=12,
    quarter_co_reflection=0,
    year_total=48,
    long_term_sickness_days=28,
    prorating_absence_types=frozenset({"parental"}),
    rounding=Rounding.HALF_UP,
    location_notice_days=7,
    one_to_one_minutes=60,
    co_reflection_minutes=180,
    co_reflection_agenda=PROTOCOL_AGENDA,
    co_reflection_recurrence="FREQ=MONTHLY;BYDAY=-1WE",
    co_reflection_start_time=dt.time(13, 0),
    one_to_one_recurrence="FREQ=WEEKLY",
    series_horizon_months=12,
    holiday_region=HolidayRegion.ENGLAND_AND_WALES,
    notes_share_working_days=5,
    notes_response_working_days=5,
    # Seed 003: over time, discuss everyone the worker supports; a quarter by default.
    caseload_review_days=91,
    # Supervision records in NHS organisations are commonly kept six years after the
    # relationship ends (seeds and spec give no figure; docs/policy.md says so).
    retention_years=6,
    agreement_template=PROTOCOL_AGREEMENT,
    # Appendix 3: "minimum 1 hour per month".
    agreement_minimum_minutes_a_month=60,
    agreement_sessions_a_month=1,
    # §5.6: "at the start ... if not done then, as soon as possible": four weeks (our reading).
    agreement_due_days=28,
    agreement_review_months=12,
)

# Fields of a preset that are templates each record copies (then edits), not settings of the
# policy row.
TEMPLATE_FIELDS = frozenset({"co_reflection_agenda", "agreement_template"})

PRESETS: dict[str, Preset] = {"protocol": PROTOCOL, "weekly": WEEKLY}
