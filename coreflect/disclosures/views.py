"""Disclosure pages: the worker's and the supervisor's list, recording one, and the counts.
Every other reader gets 404 (missing and forbidden alike)."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.authorization import person_of
from coreflect.compliance.models import current_policy
from coreflect.disclosures import access, actions, rules
from coreflect.disclosures.forms import DisclosureForm
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.disclosures.signals import SESSION_KEY


def disclosures_page(request: HttpRequest) -> HttpResponse:
    """Disclosures about the signed-in worker (opening the page marks them seen) and those
    they have recorded as a supervisor."""
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not access.may_open_disclosures(request.user, today=today):
        raise Http404("No such page")
    about = list(access.about_me(me)) if access.may_be_disclosed_about(me) else None
    made = list(access.made_by(me))
    may_record = access.may_record(me, today=today)
    if about is not None:
        # Marked seen in the database; the objects in hand still show as new on this visit.
        actions.mark_seen(by=request.user, disclosures=about)  # type: ignore[arg-type]
    request.session.pop(SESSION_KEY, None)
    shown_made = made if (made or may_record) else None
    return render(
        request,
        "disclosures/list.html",
        {
            "about": about,
            "made": shown_made,
            "may_record": may_record,
            # Each disclosure's heading: under the h1, or under a section's h2 when both show.
            "card_level": 3 if about is not None and shown_made is not None else 2,
        },
    )


def record_page(request: HttpRequest) -> HttpResponse:
    """A supervisor records a disclosure about one of their supervisees."""
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not access.may_record(me, today=today):
        raise Http404("No such page")
    supervisees = access.supervisees_to_record(me, today=today)
    if request.method == "POST":
        form = DisclosureForm(request.POST, supervisees=supervisees)
        if form.is_valid():
            data = form.cleaned_data
            try:
                disclosure = actions.record_disclosure(
                    by=request.user,  # type: ignore[arg-type]
                    supervisee=data["supervisee"],
                    ground=data["ground"],
                    summary=data["summary"],
                    shared_with_name=data["shared_with_name"],
                    shared_with_role=data["shared_with_role"],
                    shared_on=data["shared_on"],
                    told_first=data["told_first"],
                    not_told_reason=data["not_told_reason"],
                )
            except actions.DisclosureRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    f"Disclosure recorded. {disclosure.supervisee.name} will see it, and be told "
                    "of it when they next sign in.",
                )
                return redirect("disclosures:list")
    else:
        initial: dict[str, object] = {"shared_on": today}
        chosen = request.GET.get("supervisee")
        if chosen and supervisees.filter(external_id=chosen).exists():
            initial["supervisee"] = chosen
        form = DisclosureForm(initial=initial, supervisees=supervisees)
    return render(request, "disclosures/record.html", {"form": form})


def counts_page(request: HttpRequest) -> HttpResponse:
    """How many disclosures on each ground in each quarter, for the whole organisation: no
    summaries, no names, no services."""
    if not access.may_view_counts(request.user):
        raise Http404("No such page")
    grounds = list(Ground)
    rows = rules.counts_by_quarter(
        # Counted per day in SQL; the quarters are the policy's recording year's.
        Disclosure.objects.values_list("shared_on", "ground")
        .annotate(number=Count("pk"))
        .order_by(),
        grounds=[g.value for g in grounds],
        year_start_month=current_policy().year_start_month,
        today=timezone.localdate(),
    )
    return render(request, "disclosures/counts.html", {"grounds": grounds, "rows": rows})
