"""The retention review (spec §5): notes past their retention date, for the head of peer work
to delete after review, and the tombstones of what was deleted. Names, dates and counts only;
every other reader gets 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.audit.models import Tombstone
from coreflect.authorization import Permission, user_with
from coreflect.notes import retention
from coreflect.notes.models import Notes
from coreflect.notes.retention import described, past_retention
from coreflect.policy.models import PolicySettings
from coreflect.retention import actions
from coreflect.retention.forms import ReviewForm

PAGE_SIZE = 100


def review_page(request: HttpRequest) -> HttpResponse:
    """Notes past their retention date, a page at a time, and the form that deletes the ones
    selected."""
    user = user_with(request, Permission.REVIEW_RETENTION)
    today = timezone.localdate()
    years = PolicySettings.objects.current().retention_years
    due = past_retention(today, years)
    if request.method == "POST":
        form = ReviewForm(request.POST, candidates=Notes.objects.filter(pk__in=due.values("pk")))
        if form.is_valid():
            try:
                gone = actions.delete_after_review(
                    by=user,
                    notes_pks=[notes.pk for notes in form.cleaned_data["notes"]],
                    reason=form.cleaned_data["reason"],
                    today=today,
                )
            except actions.DeletionRefused as refused:
                form.add_error(None, str(refused))
            else:
                records = sum(t.access_records for t in gone)
                messages.success(
                    request,
                    f"Deleted {len(gone)} set{'s' if len(gone) != 1 else ''} of notes and "
                    f"{records} record{'s' if records != 1 else ''} of who read them. A tombstone "
                    "of each is kept below.",
                )
                return redirect("retention:deleted")
    else:
        form = ReviewForm(candidates=Notes.objects.none())
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = described(Notes.objects.filter(pk__in=[notes.pk for notes in page]))
    chosen = {str(pk) for pk in form["notes"].value() or []} if form.is_bound else set()
    rows = [
        {
            "notes": notes,
            "until": retention.retain_until(notes.supervision_ended, years),  # type: ignore[attr-defined]
            "checked": str(notes.pk) in chosen,
        }
        for notes in shown
    ]
    return render(
        request,
        "retention/review.html",
        {"form": form, "page": page, "rows": rows, "years": years, "today": today},
    )


def deleted_page(request: HttpRequest) -> HttpResponse:
    """What was deleted after review, when and by whom, newest first."""
    user_with(request, Permission.REVIEW_RETENTION)
    page = Paginator(Tombstone.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "retention/deleted.html", {"page": page})
