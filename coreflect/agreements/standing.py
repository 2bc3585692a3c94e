"""Where agreements stand, read in a fixed number of queries however many there are: for a
page's list, the overview, what is due (the reminders call due()), and the notes turnaround
each relationship agreed (notes/register.py reads agreed_turnarounds()).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from coreflect.agreements import rules
from coreflect.agreements.models import ReviewRequest, Signature
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import SupervisionRelationship


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def with_figures(relationships: QuerySet[SupervisionRelationship]) -> QuerySet:
    """The relationships with the moment their agreement was last signed by both and the
    latest request for a review (two subqueries, no join that repeats rows)."""
    last_signed = (
        Signature.objects.filter(version__agreement__relationship=OuterRef("pk"), completes=True)
        .order_by("-signed_at")
        .values("signed_at")[:1]
    )
    last_request = (
        ReviewRequest.objects.filter(agreement__relationship=OuterRef("pk"))
        .order_by("-at")
        .values("at")[:1]
    )
    return relationships.annotate(
        agreement_signed_at=Subquery(last_signed), agreement_review_asked_at=Subquery(last_request)
    )


def standing_of(
    relationship: SupervisionRelationship, *, today: dt.date, policy: PolicySettings
) -> rules.Standing:
    """The standing of one relationship from with_figures()."""
    signed_at = relationship.agreement_signed_at  # type: ignore[attr-defined]
    asked_at = relationship.agreement_review_asked_at  # type: ignore[attr-defined]
    # A request answered by a signing later the same day is spent: compare the moments.
    if asked_at is not None and signed_at is not None and asked_at <= signed_at:
        asked_at = None
    return rules.standing(
        relationship_start=relationship.start_date,
        last_signed_on=_local_day(signed_at),
        last_review_request_on=_local_day(asked_at),
        today=today,
        due_days=policy.agreement_due_days,
        review_months=policy.agreement_review_months,
    )


@dataclass(frozen=True)
class Due:
    """An agreement that needs the two: signing (overdue) or a review."""

    relationship: SupervisionRelationship
    standing: rules.Standing

    @property
    def supervisee(self) -> Person:
        return self.relationship.supervisee

    @property
    def supervisor(self) -> Person:
        return self.relationship.supervisor


def standings(relationships: QuerySet[SupervisionRelationship], *, today: dt.date) -> list[Due]:
    """Every one of the relationships with its standing, the two people at hand."""
    policy = PolicySettings.objects.current()
    rows = with_figures(relationships).select_related("supervisee", "supervisor")
    return [Due(r, standing_of(r, today=today, policy=policy)) for r in rows]


def due(
    *, today: dt.date, relationships: QuerySet[SupervisionRelationship] | None = None
) -> list[Due]:
    """What is due on the day (spec §6): every peer work relationship in force without a
    signed agreement past the policy's days, or with a review due, oldest due first. For the
    reminders (email to both people) and the overview."""
    base = relationships if relationships is not None else SupervisionRelationship.objects.all()
    current = base.peer_work().current(today).order_by("start_date", "pk")  # type: ignore[attr-defined]
    found = [d for d in standings(current, today=today) if d.standing.state.flagged]
    return sorted(found, key=lambda d: (d.standing.due_on, d.relationship.pk))


def agreed_turnarounds(
    people: Iterable[int] | None = None,
) -> dict[tuple[int, int], tuple[rules.Turnaround, ...]]:
    """The notes turnaround of every version signed by both, by (supervisor id, supervisee
    id): of everyone's relationships, or those where one of `people` is either side."""
    signatures = Signature.objects.filter(completes=True)
    if people is not None:
        ids = list(people)
        signatures = signatures.filter(
            Q(version__agreement__relationship__supervisor__in=ids)
            | Q(version__agreement__relationship__supervisee__in=ids)
        )
    found: dict[tuple[int, int], list[rules.Turnaround]] = defaultdict(list)
    for supervisor, supervisee, signed_at, share, response in signatures.values_list(
        "version__agreement__relationship__supervisor",
        "version__agreement__relationship__supervisee",
        "signed_at",
        "version__notes_share_working_days",
        "version__notes_response_working_days",
    ):
        day = timezone.localtime(signed_at).date()
        found[supervisor, supervisee].append(rules.Turnaround(day, share, response))
    return {pair: tuple(sorted(t, key=lambda t: t.from_day)) for pair, t in found.items()}
