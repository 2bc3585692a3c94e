"""Supervision agreement pages (spec §6): the list, one relationship's agreement with its
versions, writing a new version, signing, asking for a review, and each version's PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from coreflect.agreements import access, actions, pdf, standing
from coreflect.agreements.forms import ReviewRequestForm, VersionForm
from coreflect.agreements.models import AgreementVersion
from coreflect.audit.actions import record
from coreflect.authorization import Permission, has_permission, person_of
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import SupervisionRelationship

STALE_MESSAGE = (
    "The agreement changed since you opened it, so nothing was saved. Here is the latest "
    "version: read it again."
)
# Rows on the list: the head of peer work reads everyone's, so the list stops here (those due
# come first; docs/agreements.md).
LIST_LIMIT = 200


def escalation_route_url(person: Person) -> str | None:
    """HOOK for the escalation route (spec §7, issue 11 elsewhere): the troubleshooting item
    links the supervisee's route once a page named "governance:escalation" taking the
    person's external_id exists; until then there is no link."""
    try:
        return reverse("governance:escalation", kwargs={"external_id": person.external_id})
    except NoReverseMatch:
        return None


def _versions(relationship: SupervisionRelationship) -> list[AgreementVersion]:
    return list(
        AgreementVersion.objects.filter(agreement__relationship=relationship)
        .prefetch_related("signatures__person")
        .order_by("-number")
    )


def _signed_sides(version: AgreementVersion) -> dict[str, object]:
    return {s.side: s for s in version.signatures.all()}


def agreement_list(request: HttpRequest) -> HttpResponse:
    """The agreements the user may read, those due first."""
    today = timezone.localdate()
    readable = access.readable(request.user, on=today)
    me = person_of(request.user)
    if me is None and not has_permission(request.user, Permission.READ_AGREEMENTS):
        raise Http404("No such page")
    rows = standing.standings(
        readable.current(today).order_by("supervisee__name", "pk")[:LIST_LIMIT],
        today=today,
    )
    rows.sort(key=lambda d: (not d.standing.state.flagged, d.supervisee.name))
    due_count = len(standing.due(today=today, relationships=readable))
    return render(
        request,
        "agreements/list.html",
        {"rows": rows, "me": me, "today": today, "due_count": due_count, "limit": LIST_LIMIT},
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    relationship = access.get_relationship_for(request.user, pk, on=today)
    policy = PolicySettings.objects.current()
    versions = _versions(relationship)
    latest = versions[0] if versions else None
    now = standing.standing_of(
        standing.with_figures(SupervisionRelationship.objects.filter(pk=pk)).get(),
        today=today,
        policy=policy,
    )
    signed = [v for v in versions if any(s.completes for s in v.signatures.all())]
    side = access.side_of(request.user, relationship)
    may_write = access.may_write(request.user, relationship, on=today)
    latest_signed_by = _signed_sides(latest) if latest else {}
    return render(
        request,
        "agreements/detail.html",
        {
            "relationship": relationship,
            "versions": versions,
            "latest": latest,
            "latest_signed_by": latest_signed_by,
            "in_force": signed[0] if signed else None,
            "standing": now,
            "side": side,
            "may_write": may_write,
            "may_sign": may_write and latest is not None and side not in latest_signed_by,
            "review_form": ReviewRequestForm(),
            "escalation_url": escalation_route_url(relationship.supervisee),
        },
    )


def write(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version, from the latest (or the template for the first)."""
    today = timezone.localdate()
    relationship = access.get_relationship_for(request.user, pk, on=today)
    if not access.may_write(request.user, relationship, on=today):
        raise Http404("No such page")
    policy = PolicySettings.objects.current()
    template = actions.template_of(policy)
    versions = _versions(relationship)
    latest = versions[0] if versions else None
    initial = {
        "based_on": latest.number if latest else None,
        "sessions_a_month": latest.sessions_a_month
        if latest
        else policy.agreement_sessions_a_month,
        "session_minutes": latest.session_minutes if latest else policy.one_to_one_minutes,
        "usual_place": latest.usual_place if latest else "",
        "changes_arranged": latest.changes_arranged if latest else "",
        "notes_share_working_days": latest.notes_share_working_days
        if latest
        else policy.notes_share_working_days,
        "notes_response_working_days": latest.notes_response_working_days
        if latest
        else policy.notes_response_working_days,
    }
    form = VersionForm(
        request.POST or None, initial=initial, template=template, latest=latest, policy=policy
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = actions.write_version(
                by=request.user,  # type: ignore[arg-type]
                relationship=relationship,
                based_on=data["based_on"],
                sessions_a_month=data["sessions_a_month"],
                session_minutes=data["session_minutes"],
                usual_place=data["usual_place"].strip(),
                changes_arranged=data["changes_arranged"].strip(),
                notes_share_working_days=data["notes_share_working_days"],
                notes_response_working_days=data["notes_response_working_days"],
                items=form.items(),
            )
        except actions.StaleAgreement:
            messages.error(request, STALE_MESSAGE)
            return redirect("agreements:detail", pk=pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Version {version.number} is written. You both sign it before it is in force.",
            )
            return redirect("agreements:detail", pk=pk)
    return render(
        request,
        "agreements/write.html",
        {"relationship": relationship, "form": form, "latest": latest, "policy": policy},
    )


@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    relationship = access.get_relationship_for(request.user, pk, on=today)
    if not access.may_write(request.user, relationship, on=today):
        raise Http404("No such page")
    try:
        number = int(request.POST.get("number", ""))
    except ValueError:
        raise Http404("No such version") from None
    try:
        signature = actions.sign(
            by=request.user,  # type: ignore[arg-type]
            relationship=relationship,
            number=number,
            fingerprint=request.POST.get("fingerprint", ""),
        )
    except actions.StaleAgreement:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"You signed version {number}."
            + (
                " It is now in force."
                if signature.completes
                else " It is in force once both of you have signed."
            ),
        )
    return redirect("agreements:detail", pk=pk)


@require_POST
def request_review(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    relationship = access.get_relationship_for(request.user, pk, on=today)
    if not access.may_write(request.user, relationship, on=today):
        raise Http404("No such page")
    form = ReviewRequestForm(request.POST)
    form.is_valid()
    try:
        actions.request_review(
            by=request.user,  # type: ignore[arg-type]
            relationship=relationship,
            reason=form.cleaned_data.get("reason", "").strip(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The review is due now: write a new version and both sign it.")
    return redirect("agreements:detail", pk=pk)


def _version_for(request: HttpRequest, pk: int, number: int) -> AgreementVersion:
    relationship = access.get_relationship_for(request.user, pk, on=timezone.localdate())
    try:
        return (
            AgreementVersion.objects.select_related(
                "agreement__relationship__supervisee", "agreement__relationship__supervisor"
            )
            .prefetch_related("signatures__person")
            .get(agreement__relationship=relationship, number=number)
        )
    except AgreementVersion.DoesNotExist:
        raise Http404("No such version") from None


def version_page(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    found = _version_for(request, pk, version)
    return render(
        request,
        "agreements/version.html",
        {
            "version": found,
            "relationship": found.agreement.relationship,
            "signed_by": _signed_sides(found),
            "escalation_url": escalation_route_url(found.agreement.relationship.supervisee),
        },
    )


def version_pdf(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    found = _version_for(request, pk, version)
    printed_at = timezone.now()
    document = pdf.to_pdf(
        pdf.render_html(found, reader=person_of(request.user), printed_at=printed_at)
    )
    record(
        by=request.user,
        action="export.agreement",
        target=found,
        relationship=pk,
        number=found.number,
        format="pdf",
    )
    relationship = found.agreement.relationship
    filename = (
        f"supervision-agreement-{relationship.supervisee.external_id}-v{found.number}.pdf".lower()
    )
    # Cache-Control: no-store comes from coreflect.middleware.NoStore, as for every response.
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
