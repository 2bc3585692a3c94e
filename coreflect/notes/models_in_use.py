"""Which reflective model each supervision uses, and how many supervisions use each model in
each service (spec §4: "the peer service lead is made aware of the models in use").

A relationship's model is the model of its latest agreed request, else the organisation's
default. The counts are names and numbers only: they never say whose supervision it is.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from importlib import import_module

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, OuterRef, QuerySet, Subquery

from coreflect.authorization import (
    HeadOfPeerWork,
    Permission,
    has_permission,
    person_of,
    role_of,
)
from coreflect.notes.access import may_have_notes
from coreflect.notes.models import ModelRequest, ReflectiveModel, RequestState
from coreflect.people.models import Service
from coreflect.supervision.models import SupervisionRelationship


def _latest_agreed(relationship: SupervisionRelationship | OuterRef) -> QuerySet[ModelRequest]:
    # The clock may stand still (tests) so that two decisions share an instant; requests are
    # answered one at a time, so the later row is the later decision.
    return ModelRequest.objects.filter(
        relationship=relationship, state=RequestState.AGREED
    ).order_by("-decided_at", "-pk")


def default_model() -> ReflectiveModel:
    """The organisation's default model; made again from the migration's definition if the
    table was emptied (a flushed database keeps no migration data)."""
    found = ReflectiveModel.objects.filter(is_default=True).first()
    if found is not None:
        return found
    definition = import_module("coreflect.notes.migrations.0002_default_reflective_model")
    model, _ = ReflectiveModel.objects.get_or_create(
        is_default=True, defaults=definition.WHAT_SO_WHAT_NOW_WHAT
    )
    return model


def model_for(relationship: SupervisionRelationship) -> ReflectiveModel:
    """The model this supervision reflects with: its latest agreed request's, else the
    default."""
    agreed = _latest_agreed(relationship).select_related("model").first()
    return agreed.model if agreed is not None else default_model()


@dataclass(frozen=True)
class InUse:
    name: str
    count: int


@dataclass(frozen=True)
class ServiceModels:
    """One service's current peer work supervisions, counted by model."""

    service: str
    models: tuple[InUse, ...]

    @property
    def total(self) -> int:
        return sum(m.count for m in self.models)


NO_SERVICE = "No service recorded"


def scope_of(user: User | AnonymousUser) -> tuple[bool, int | None] | None:
    """Whose counts this user sees: (True, None) every service for the head of peer work,
    (False, service id) their own service for a peer lead or co-ordinator, None nothing."""
    if role_of(user) is HeadOfPeerWork:
        return (True, None)
    me = person_of(user)
    if (
        me is not None
        and me.service_id is not None
        and has_permission(user, Permission.VIEW_SERVICE_NOTES_REGISTER)
    ):
        return (False, me.service_id)
    return None


def may_read_models(user: User | AnonymousUser) -> bool:
    """Whether the reflective models page opens for this user: anyone with notes, whoever
    adds models, and whoever sees models in use."""
    return (
        may_have_notes(user)
        or has_permission(user, Permission.MANAGE_REFLECTIVE_MODELS)
        or scope_of(user) is not None
    )


def models_in_use(*, on: dt.date, service_id: int | None = None) -> list[ServiceModels]:
    """Per service (the supervisee's), each model's name and the number of peer work
    relationships in force on the day that use it: every service (those with none too, and
    supervisees with no service last), or only `service_id`'s. Four queries, however many
    relationships there are."""
    current = SupervisionRelationship.objects.current(on).peer_work()
    if service_id is not None:
        current = current.filter(supervisee__service_id=service_id)
    rows = (
        current.annotate(agreed=Subquery(_latest_agreed(OuterRef("pk")).values("model")[:1]))
        .values("supervisee__service", "agreed")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    default = default_model()
    names = dict(ReflectiveModel.objects.values_list("pk", "name"))
    counts: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row["supervisee__service"]][row["agreed"] or default.pk] += row["n"]
    services = Service.objects.all()
    if service_id is not None:
        services = services.filter(pk=service_id)
    wanted: list[tuple[int | None, str]] = [(s.pk, s.name) for s in services]
    if service_id is None and None in counts:
        wanted.append((None, NO_SERVICE))
    return [
        ServiceModels(
            service=name,
            models=tuple(
                sorted(
                    (InUse(names[pk], n) for pk, n in counts[pk_of_service].items()),
                    key=lambda m: (-m.count, m.name),
                )
            ),
        )
        for pk_of_service, name in wanted
    ]
