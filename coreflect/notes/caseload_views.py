"""The peer worker's caseload (seed 003: "over time … an opportunity to discuss all the people
being supported"): their private list of the people they support, by pseudonym or initials,
with when each was last discussed in supervision and who is due for discussion.

The list is its owner's alone. Every address here works on the signed-in person's own list;
none takes a person, and an entry of someone else's list answers 404. A supervisor sees
labels only inside the notes of a session they held (notes/views.py).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from coreflect.authorization import person_of
from coreflect.notes import actions
from coreflect.notes.forms_caseload import CaseloadEntryForm
from coreflect.notes.models import CaseloadEntry
from coreflect.people.models import PEER_WORK_ROLES, Person
from coreflect.policy.models import PolicySettings


def is_due(
    *, added_on: dt.date, last_discussed: dt.date | None, today: dt.date, review_days: int
) -> bool:
    """Whether someone is due for discussion: not discussed for more than review_days (or,
    never discussed, added more than review_days ago)."""
    since = last_discussed if last_discussed is not None else added_on
    return (today - since).days > review_days


@dataclass(frozen=True)
class Line:
    """One person on the list, with where their discussion stands today."""

    entry: CaseloadEntry
    last_discussed: dt.date | None
    due: bool


def _owner(request: HttpRequest) -> Person:
    """The signed-in peer worker, whose list this is; 404 for everyone else."""
    me = person_of(request.user)
    if me is None or me.role not in PEER_WORK_ROLES:
        raise Http404("No such page")
    return me


def _entry_of(me: Person, pk: int) -> CaseloadEntry:
    try:
        return CaseloadEntry.objects.get(pk=pk, owner=me)
    except CaseloadEntry.DoesNotExist:
        raise Http404("No such entry") from None


def lines_of(me: Person, *, today: dt.date, review_days: int) -> tuple[list[Line], list[Line]]:
    """The person's list in two parts: current (due first, then by label) and archived (by
    label). One query, however long the list."""
    entries = CaseloadEntry.objects.filter(owner=me).annotate(
        last=Max("notes__session__date", filter=Q(notes__session__date__lte=today))
    )
    current: list[Line] = []
    archived: list[Line] = []
    for entry in entries.order_by("label", "pk"):
        line = Line(
            entry=entry,
            last_discussed=entry.last,
            due=entry.archived_on is None
            and is_due(
                added_on=entry.added_on,
                last_discussed=entry.last,
                today=today,
                review_days=review_days,
            ),
        )
        (current if entry.archived_on is None else archived).append(line)
    current.sort(key=lambda line: not line.due)  # stable: by label within each part
    return current, archived


def caseload(request: HttpRequest) -> HttpResponse:
    """The list, and a form to add someone to it."""
    me = _owner(request)
    form = CaseloadEntryForm(request.POST if request.method == "POST" else None, owner=me)
    if request.method == "POST" and form.is_valid():
        label = form.cleaned_data["label"]
        restoring = CaseloadEntry.objects.filter(
            owner=me, label=label, archived_on__isnull=False
        ).exists()
        actions.add_caseload_entry(by=request.user, owner=me, label=label)  # type: ignore[arg-type]
        messages.success(
            request, f"“{label}” is back on your list." if restoring else f"“{label}” added."
        )
        return redirect("notes:caseload")
    today = timezone.localdate()
    review_days = PolicySettings.objects.current().caseload_review_days
    current, archived = lines_of(me, today=today, review_days=review_days)
    return render(
        request,
        "notes/caseload.html",
        {
            "form": form,
            "current": current,
            "archived": archived,
            "due_count": sum(line.due for line in current),
            "review_days": review_days,
            "today": today,
        },
    )


@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Take someone off the current list (no longer supported); their past discussions stay."""
    entry = _entry_of(_owner(request), pk)
    if entry.archived_on is None:
        actions.archive_caseload_entry(by=request.user, entry=entry)  # type: ignore[arg-type]
    messages.success(request, f"“{entry.label}” archived. You can restore them below.")
    return redirect("notes:caseload")


@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an archived entry back on the current list."""
    me = _owner(request)
    entry = _entry_of(me, pk)
    if entry.archived_on is not None:
        actions.add_caseload_entry(by=request.user, owner=me, label=entry.label)  # type: ignore[arg-type]
    messages.success(request, f"“{entry.label}” is back on your list.")
    return redirect("notes:caseload")


urlpatterns: list[URLPattern] = [
    path("caseload/", caseload, name="caseload"),
    path("caseload/<int:pk>/archive/", archive, name="caseload_archive"),
    path("caseload/<int:pk>/restore/", restore, name="caseload_restore"),
]
