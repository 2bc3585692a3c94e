"""Policy presets: every number of the spec lives here and nowhere else.

"protocol" is the trust's Peer Work Supervision Protocol (spec §2–§3) and the default.
"weekly" is weekly one-hour supervision with no group requirement (seed 002).

Plain Python, no Django: the pure rules modules of every app may read a preset.
"""

from dataclasses import dataclass
from enum import StrEnum


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
)

PRESETS: dict[str, Preset] = {"protocol": PROTOCOL, "weekly": WEEKLY}
