"""Reflective models (spec §4): the organisation's list with its prompts, which anyone with
notes may read and the head of peer work or an administrator adds to; a supervisee asking for
another model and their supervisor agreeing or declining; and, for the head of peer work and
a service's peer leads and co-ordinators, how many supervisions use each model (names and
counts only). Every other reader gets 404."""

from django.contrib import messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.notes import actions
from coreflect.notes.forms_models import DecisionForm, ReflectiveModelForm, RequestModelForm
from coreflect.notes.models import ModelRequest, ReflectiveModel, RequestState
from coreflect.notes.models_in_use import (
    default_model,
    may_read_models,
    model_for,
    models_in_use,
    scope_of,
)
from coreflect.people.models import Person
from coreflect.supervision.access import supervises_anyone
from coreflect.supervision.models import SupervisionRelationship


def _my_supervision(me: Person | None) -> SupervisionRelationship | None:
    """The person's peer work supervision in force today (the latest begun, should two
    overlap while one supervisor hands over to the next)."""
    if me is None:
        return None
    return (
        SupervisionRelationship.objects.current(timezone.localdate())
        .peer_work()
        .filter(supervisee=me)
        .select_related("supervisor")
        .order_by("-start_date", "-pk")
        .first()
    )


def _latest_request(relationship: SupervisionRelationship) -> ModelRequest | None:
    return (
        relationship.model_requests.select_related("model").order_by("-requested_at", "-pk").first()
    )


def _open_requests_for(me: Person) -> QuerySet[ModelRequest]:
    """Requests waiting for this person's answer: of the supervisions they hold today."""
    held = SupervisionRelationship.objects.current(timezone.localdate()).peer_work()
    return ModelRequest.objects.filter(
        state=RequestState.REQUESTED, relationship__in=held.filter(supervisor=me)
    )


def reflective_models(request: HttpRequest) -> HttpResponse:
    """The models with their prompts; the reader's own supervision's model and request;
    requests waiting for their answer; models in use; and adding a model."""
    if not may_read_models(request.user):
        raise Http404("No such page")
    may_add = has_permission(request.user, Permission.MANAGE_REFLECTIVE_MODELS)
    if request.method == "POST" and not may_add:
        raise Http404("No such page")
    # An empty POST (no CSRF field: only a test sends one) still makes a bound form.
    posted = request.POST if request.method == "POST" else None
    form = ReflectiveModelForm(posted) if may_add else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = actions.add_reflective_model(
            by=request.user,  # type: ignore[arg-type]
            name=data["name"],
            summary=data["summary"].strip(),
            prompts=data["prompts"],
        )
        messages.success(request, f"“{added.name}” added. Supervisees can now ask to use it.")
        return redirect("notes:models")
    me = person_of(request.user)
    mine = _my_supervision(me)
    today = timezone.localdate()
    scope = scope_of(request.user)
    in_use = None
    if scope is not None:
        every_service, service_id = scope
        in_use = models_in_use(on=today, service_id=None if every_service else service_id)
    waiting = None
    if me is not None and supervises_anyone(me, on=today):
        waiting = _open_requests_for(me).count()
    return render(
        request,
        "notes/models.html",
        {
            "models": ReflectiveModel.objects.all(),
            "form": form,
            "supervision": mine,
            "model_in_use": model_for(mine) if mine is not None else None,
            "latest_request": _latest_request(mine) if mine is not None else None,
            "waiting": waiting,
            "in_use": in_use,
        },
    )


def model_request(request: HttpRequest) -> HttpResponse:
    """A supervisee asks to reflect with another model in their supervision (one request
    open at a time), and sees where their latest request stands."""
    supervision = _my_supervision(person_of(request.user))
    if supervision is None:
        raise Http404("No such page")
    current = model_for(supervision)
    latest = _latest_request(supervision)
    waiting = latest is not None and latest.state == RequestState.REQUESTED
    form = RequestModelForm(
        request.POST if request.method == "POST" else None,
        choices=ReflectiveModel.objects.exclude(pk=current.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            asked = actions.request_model(
                by=request.user,  # type: ignore[arg-type]
                relationship=supervision,
                model=form.cleaned_data["model"],
            )
        except actions.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                f"You asked to use “{asked.model.name}”. {supervision.supervisor.name} will "
                "agree or decline.",
            )
        return redirect("notes:model_request")
    return render(
        request,
        "notes/models_request.html",
        {
            "supervision": supervision,
            "model_in_use": current,
            "latest_request": latest,
            "waiting": waiting,
            "form": form,
        },
    )


def model_requests(request: HttpRequest) -> HttpResponse:
    """The requests waiting for this supervisor's answer, each with the model the supervision
    uses now."""
    me = person_of(request.user)
    if me is None or not supervises_anyone(me, on=timezone.localdate()):
        raise Http404("No such page")
    agreed_before = (
        ModelRequest.objects.filter(
            relationship=OuterRef("relationship"), state=RequestState.AGREED
        )
        .order_by("-decided_at", "-pk")
        .values("model__name")[:1]
    )
    waiting = (
        _open_requests_for(me)
        .select_related("relationship__supervisee", "model")
        .annotate(model_now=Subquery(agreed_before))
        .order_by("requested_at", "pk")
    )
    return render(
        request,
        "notes/models_requests.html",
        {"waiting": waiting, "default_name": default_model().name},
    )


@require_POST
def decide_model_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor of the supervision agrees or declines; anyone else gets 404."""
    me = person_of(request.user)
    if me is None:
        raise Http404("No such request")
    held = SupervisionRelationship.objects.current(timezone.localdate()).peer_work()
    try:
        asked = ModelRequest.objects.select_related("relationship__supervisee", "model").get(
            pk=pk, relationship__in=held.filter(supervisor=me)
        )
    except ModelRequest.DoesNotExist:
        raise Http404("No such request") from None
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Agree or Decline.")
        return redirect("notes:model_requests")
    agree = form.cleaned_data["decision"] == "agree"
    try:
        actions.decide_model(by=request.user, request=asked, agree=agree)  # type: ignore[arg-type]
    except actions.Refused as refused:
        messages.error(request, str(refused))
        return redirect("notes:model_requests")
    who = asked.relationship.supervisee.name
    if agree:
        messages.success(
            request, f"Agreed: {who}'s reflections use “{asked.model.name}” from now on."
        )
    else:
        messages.success(request, f"Declined: {who}'s reflections keep the model they use now.")
    return redirect("notes:model_requests")


urlpatterns: list[URLPattern] = [
    path("models/", reflective_models, name="models"),
    path("models/ask/", model_request, name="model_request"),
    path("models/requests/", model_requests, name="model_requests"),
    path("models/requests/<int:pk>/answer/", decide_model_request, name="model_decide"),
]
