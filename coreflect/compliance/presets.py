"""Policy presets: every number of the spec lives here and nowhere else.

"protocol" is the trust's Peer Work Supervision Protocol (spec §3) and the default.
"weekly" is weekly one-hour supervision with no group requirement (seed 002).
"""

from coreflect.compliance.rules import Policy, Rounding

PROTOCOL = Policy(
    year_start_month=4,
    quarter_one_to_one=2,
    quarter_co_reflection=1,
    year_total=8,
    long_term_sickness_days=28,
    prorating_absence_types=frozenset(),
    rounding=Rounding.HALF_UP,
)

# Numbers of the protocol that are not attendance requirements.
PROTOCOL_LOCATION_NOTICE_DAYS = 7
PROTOCOL_ONE_TO_ONE_MINUTES = 60
PROTOCOL_CO_REFLECTION_MINUTES = 180

WEEKLY = Policy(
    year_start_month=4,
    quarter_one_to_one=12,
    quarter_co_reflection=0,
    year_total=48,
    long_term_sickness_days=28,
    prorating_absence_types=frozenset({"parental"}),
    rounding=Rounding.HALF_UP,
)

PRESETS: dict[str, Policy] = {"protocol": PROTOCOL, "weekly": WEEKLY}
