"""PDF downloads of notes, for the two people a one-to-one belongs to (notes/pdf.py).

One session's notes: its supervisee or the supervisor who held it; 404 for anyone else. A
later supervisor the supervisee shared the notes with reads them on the notes page but gets no
download: a file on their computer could not be taken back when the share is withdrawn.

All my notes: every set of notes where I am the supervisee (my own supervision) or the
supervisor who held the session (every one-to-one I held), never the ones shared with me.

Each download writes the notes' access records (what was read) and one audit entry
(export.notes: that a file of notes was taken away, by whom and of what; never what the notes
say), like every download of personal data.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import dateformat, timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from coreflect.audit.actions import record, record_read
from coreflect.audit.models import ReadHow
from coreflect.authorization import person_of
from coreflect.notes import access, pdf
from coreflect.notes.access import Seat
from coreflect.supervision.models import Session


def _pdf_response(document: bytes, filename: str) -> HttpResponse:
    # Cache-Control: no-store comes from coreflect.middleware.NoStore, as for every response.
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@transaction.atomic
def _record_downloads(
    request: HttpRequest,
    seats: list[Seat],
    copies: list[pdf.NotesCopy],
    how: ReadHow,
    *,
    session: Session | None,
) -> None:
    """Every read of note content is recorded (spec §5): one access record for each set of
    notes the file shows content of (a version's text or their actions), with the version
    printed. The download itself is one audit entry, naming the notes in it and the session
    (None for all of someone's notes)."""
    if not isinstance(request.user, User):
        raise Http404("No such page")
    printed: list[int] = []
    for seat, copy in zip(seats, copies, strict=True):
        if seat.notes is None or (copy.version is None and not copy.actions):
            continue  # nothing of these notes is printed: not a read
        printed.append(seat.notes.pk)
        record_read(
            by=request.user,
            person=seat.me,
            notes_pk=seat.notes.pk,
            session_pk=seat.session.pk,
            version=copy.version.number if copy.version else None,
            how=how,
        )
    record(
        by=request.user,
        action="export.notes",
        target=session,
        format="pdf",
        scope="session" if session is not None else "all",
        notes=printed,
    )


def session_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    seat = access.seat_of_party(request.user, pk)
    if seat.notes is None:
        raise Http404("No notes yet")
    copy = pdf.copy_for(seat)
    session = seat.session
    html = pdf.render_html(
        [pdf.Part("", [copy])],
        title=f"Notes of the one-to-one on {dateformat.format(session.date, 'l j F Y')}",
        reader=seat.me,
    )
    document = pdf.to_pdf(html)
    _record_downloads(request, [seat], [copy], ReadHow.PDF, session=session)
    return _pdf_response(
        document,
        f"supervision-notes-{session.date.isoformat()}-{slugify(seat.supervisee.name)}.pdf",
    )


def all_pdf(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    if me is None:
        raise Http404("No such page")
    session_pks = (
        access.notes_readable_by(me)
        .filter(Q(session__lead=me) | Q(session__attendance__person=me))
        .order_by("session__date", "session__start_time", "session__pk")
        .values_list("session_id", flat=True)
    )
    seats = [access.seat_of_party(request.user, pk) for pk in session_pks]
    if not seats and not access.may_have_notes(request.user):
        raise Http404("No such page")
    mine = [seat for seat in seats if seat.is_supervisee]
    held = sorted(
        (seat for seat in seats if seat.is_supervisor),
        key=lambda seat: (seat.supervisee.name, seat.session.date),
    )
    copies = {seat.session.pk: pdf.copy_for(seat) for seat in [*mine, *held]}
    html = pdf.render_html(
        [
            pdf.Part("Your own supervision", [copies[s.session.pk] for s in mine]),
            pdf.Part("One-to-ones you held", [copies[s.session.pk] for s in held]),
        ],
        title=f"Supervision notes of {me.name}",
        reader=me,
    )
    document = pdf.to_pdf(html)
    ordered = [*mine, *held]
    _record_downloads(
        request, ordered, [copies[s.session.pk] for s in ordered], ReadHow.PDF_ALL, session=None
    )
    today = timezone.localdate()
    return _pdf_response(
        document, f"supervision-notes-{slugify(me.name)}-as-of-{today.isoformat()}.pdf"
    )


urlpatterns: list[URLPattern] = [
    path("session/<int:pk>/notes.pdf", session_pdf, name="pdf"),
    path("all-notes.pdf", all_pdf, name="pdf_all"),
]
