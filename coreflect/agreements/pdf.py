"""A PDF of one agreement version, laid out by WeasyPrint as the notes' copies are
(notes/pdf.py; notes sit above agreements, so the few lines are repeated here): nothing is
fetched while it is laid out but data: addresses."""

import datetime as dt

from django.template.loader import render_to_string

from coreflect.agreements.models import AgreementVersion
from coreflect.people.models import Person


def render_html(
    version: AgreementVersion, *, reader: Person | None, printed_at: dt.datetime
) -> str:
    relationship = version.agreement.relationship
    return render_to_string(
        "agreements/pdf.html",
        {
            "version": version,
            "relationship": relationship,
            "signatures": {s.side: s for s in version.signatures.select_related("person")},
            "reader": reader,
            "printed_at": printed_at,
        },
    )


def to_pdf(html: str) -> bytes:
    """The HTML as a tagged PDF (headings and reading order kept for screen readers)."""
    # Imported here, not at the top: WeasyPrint loads Pango when imported.
    import weasyprint

    fetcher = weasyprint.URLFetcher(
        allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True
    )
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).render().write_pdf(pdf_tags=True)
    return pdf
