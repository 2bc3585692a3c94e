"""Concerns about supervision: the person's own list, recording one, its page with the
outcome, and the counts for the head of peer work. Everyone else gets 404."""

from collections import Counter

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.authorization import person_of
from coreflect.governance import access, actions, rules
from coreflect.governance.forms import ConcernForm, OutcomeForm, choice_of
from coreflect.governance.models import Concern
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings


def concerns_page(request: HttpRequest) -> HttpResponse:
    """Concerns the signed-in person raised, and those raised with them."""
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not access.may_have_concerns(request.user, on=today):
        raise Http404("No such page")
    involving = Concern.objects.involving(me).select_related("person", "raised_with")
    return render(
        request,
        "governance/concerns.html",
        {
            "raised": [c for c in involving if c.person_id == me.pk],
            "received": [c for c in involving if c.raised_with_id == me.pk],
            "may_raise": bool(access.route_steps(me, on=today)) if me.is_peer_worker else False,
        },
    )


def new_concern_page(request: HttpRequest) -> HttpResponse:
    """A peer worker records raising a concern with someone on their route."""
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not me.is_peer_worker:
        raise Http404("No such page")
    route = access.route_steps(me, on=today)
    if not route:
        raise Http404("No such page")
    if request.method == "POST":
        form = ConcernForm(request.POST, route=route)
        if form.is_valid():
            step, external_id = form.chosen()
            try:
                concern = actions.raise_concern(
                    by=request.user,  # type: ignore[arg-type]
                    person=me,
                    step=step,
                    raised_with=Person.objects.get(external_id=external_id),
                    raised_on=form.cleaned_data["raised_on"],
                    summary=form.cleaned_data["summary"],
                )
            except actions.ConcernRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    f"Concern recorded. {concern.raised_with.name} can read it too. Add what "
                    "came of it when you know.",
                )
                return redirect("governance:concern", pk=concern.pk)
    else:
        initial: dict[str, object] = {"raised_on": today}
        chosen = choice_of(int(request.GET.get("step", "0") or 0), request.GET.get("with", ""))
        if any(chosen == value for value, _ in form_choices(route)):
            initial["with_whom"] = chosen
        form = ConcernForm(initial=initial, route=route)
    return render(
        request,
        "governance/new.html",
        {"form": form, "policy": PolicySettings.objects.current()},
    )


def form_choices(route: list[access.RouteStep]) -> list[tuple[str, str]]:
    return [(choice_of(s.step.number, p.external_id), p.name) for s in route for p in s.people]


def concern_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One concern, for the person who raised it (who records the outcome) and whom they
    raised it with."""
    concern = access.get_concern_for(request.user, pk)
    me = person_of(request.user)
    is_raiser = me is not None and concern.person_id == me.pk
    form = None
    if is_raiser:
        form = OutcomeForm(
            request.POST or None,
            initial={"version": concern.version, "outcome": concern.outcome},
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.record_outcome(
                    by=request.user,  # type: ignore[arg-type]
                    concern=concern,
                    version=form.cleaned_data["version"],
                    outcome=form.cleaned_data["outcome"],
                )
            except actions.StaleConcern:
                messages.error(
                    request,
                    "The outcome changed since you opened the page. Yours was not saved; the "
                    "page now shows the current one.",
                )
            except actions.ConcernRefused as refused:
                form.add_error(None, str(refused))
                return render(
                    request, "governance/concern.html", {"concern": concern, "form": form}
                )
            else:
                messages.success(request, "Outcome saved.")
            return redirect("governance:concern", pk=concern.pk)
    elif request.method == "POST":
        raise Http404("No such concern")
    response = render(
        request,
        "governance/concern.html",
        {"concern": concern, "form": form, "is_raiser": is_raiser},
    )
    return response


def counts_page(request: HttpRequest) -> HttpResponse:
    """How many concerns were raised in each service and quarter: no names, no steps, no
    summaries."""
    if not access.may_view_counts(request.user):
        raise Http404("No such page")
    start_month = PolicySettings.objects.current().year_start_month
    counts: Counter[tuple[str, int, int]] = Counter()
    # Counted per service and day in SQL; the quarters are the policy's recording year's.
    for service, day, number in (
        Concern.objects.values_list("service__name", "raised_on")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        year, quarter = rules.quarter_of(day, year_start_month=start_month)
        counts[(service or "No service", year, quarter)] += number
    rows = [
        {
            "service": service,
            "quarter": f"{year}/{str(year + 1)[2:]} quarter {quarter}"
            if start_month != 1
            else f"{year} quarter {quarter}",
            "number": number,
        }
        for (service, year, quarter), number in sorted(
            counts.items(), key=lambda item: (-item[0][1], -item[0][2], item[0][0])
        )
    ]
    return render(request, "governance/counts.html", {"rows": rows})
