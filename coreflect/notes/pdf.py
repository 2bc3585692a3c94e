"""PDF copies of one-to-one notes (spec §4: the supervisee can see and download every one of
their past notes at any time; the supervisor who held a session downloads its notes too).

Each copy holds what the reader may read on the notes page and nothing more: the latest
version readable_versions gives them, the session's agreed actions and the supervisee's
comments. The HTML is made here and laid out by WeasyPrint; nothing is fetched while it is
(the fetcher refuses every address but data:), so no note can make the server reach out.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone

from coreflect.notes import access
from coreflect.notes.access import Seat
from coreflect.notes.models import (
    TEXT_FIELDS,
    Action,
    Comment,
    NotesState,
    NotesVersion,
    PeerValue,
    label_of,
)
from coreflect.people.models import Person
from coreflect.supervision.models import Session

if TYPE_CHECKING:
    import weasyprint


@dataclass(frozen=True)
class Answer:
    heading: str
    prompt: str
    text: str


@dataclass(frozen=True)
class NotesCopy:
    """What one reader may read of one session's notes, ready to print."""

    session: Session
    supervisor: str
    supervisee: str
    state_label: str
    # The latest version this reader may read; None while the supervisee waits for them.
    version: NotesVersion | None
    fields: list[tuple[str, str]]
    model_name: str
    reflection: list[Answer]
    values: list[str]
    actions: list[Action]
    comments: list[Comment]


@dataclass(frozen=True)
class Part:
    """A heading and the copies under it (the all-notes PDF has two: as supervisee and as
    supervisor)."""

    heading: str
    copies: list[NotesCopy]


def fields_of(version: NotesVersion) -> list[tuple[str, str]]:
    """(heading, text) of every field of the notes template, in its order."""
    fields = [(label_of(name), getattr(version, name)) for name in TEXT_FIELDS]
    agreed = version.get_last_notes_agreed_display() if version.last_notes_agreed else ""
    fields.insert(2, (label_of("last_notes_agreed"), agreed))
    return fields


def reflection_of(version: NotesVersion) -> list[Answer]:
    """Each prompt of the version's reflective model with its answer. Answers without a model
    (none recorded) are still printed, numbered."""
    prompts: list[dict[str, str]] = (
        list(version.reflective_model.prompts) if version.reflective_model else []
    )
    answers = [str(answer) for answer in version.reflection]
    count = max(len(prompts), len(answers))
    return [
        Answer(
            heading=prompts[i].get("heading", "") if i < len(prompts) else f"Answer {i + 1}",
            prompt=prompts[i].get("prompt", "") if i < len(prompts) else "",
            text=answers[i] if i < len(answers) else "",
        )
        for i in range(count)
    ]


def copy_for(seat: Seat) -> NotesCopy:
    """The copy of this seat's notes, read through access.readable_versions."""
    notes = seat.notes
    readable = access.readable_versions(seat)
    version = readable[-1] if readable else None
    return NotesCopy(
        session=seat.session,
        supervisor=seat.session.lead.name,
        supervisee=seat.supervisee.name,
        state_label=notes.get_state_display() if notes else NotesState.NOT_WRITTEN.label,
        version=version,
        fields=fields_of(version) if version else [],
        model_name=version.reflective_model.name if version and version.reflective_model else "",
        reflection=reflection_of(version) if version else [],
        values=[label for value, label in PeerValue.choices if value in version.values]
        if version
        else [],
        actions=list(notes.actions.all()) if notes else [],
        # The supervisee's comments on every version this reader may read, oldest first.
        comments=list(
            Comment.objects.filter(version__in=readable)
            .select_related("author", "version")
            .order_by("created_at", "pk")
        ),
    )


def render_html(
    parts: Sequence[Part], *, title: str, reader: Person, printed_at: dt.datetime | None = None
) -> str:
    """The document WeasyPrint lays out: the parts that have copies, in order, each copy
    starting a page."""
    context: dict[str, Any] = {
        "title": title,
        "parts": [part for part in parts if part.copies],
        "reader": reader,
        "printed_at": printed_at or timezone.now(),
    }
    return render_to_string("notes/pdf.html", context)


def fetcher() -> "weasyprint.URLFetcher":
    """A URL fetcher for data: addresses only (an inline image, should the template ever have
    one); anything else stops the rendering rather than being fetched."""
    import weasyprint

    return weasyprint.URLFetcher(
        allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True
    )


def document(html: str) -> "weasyprint.Document":
    """The laid-out pages of the HTML (to_pdf writes them; tests read their text)."""
    # Imported here, not at the top: WeasyPrint loads Pango when imported, and without it
    # only the PDF downloads should fail, not every page of the service.
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=fetcher()).render()


def to_pdf(html: str) -> bytes:
    """The HTML as a tagged PDF (headings and reading order kept for screen readers)."""
    pdf: bytes = document(html).write_pdf(pdf_tags=True)
    return pdf
