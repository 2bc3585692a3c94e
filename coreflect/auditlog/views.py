"""The audit log, searched and downloaded, for governance and administrators; 404 for anyone
else. Downloading it is itself recorded."""

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.auditlog import search
from coreflect.auditlog.forms import AuditFilterForm
from coreflect.authorization import Permission, user_with
from coreflect.compliance import exports


def _form(request: HttpRequest) -> AuditFilterForm:
    params = request.GET.copy()
    params.pop("before", None)
    return AuditFilterForm(params or None)


def log_page(request: HttpRequest) -> HttpResponse:
    user_with(request, Permission.VIEW_AUDIT_LOG)
    form = _form(request)
    rows, more = [], None
    if not form.is_bound or form.is_valid():
        try:
            before = int(request.GET["before"]) if "before" in request.GET else None
        except ValueError:
            before = None
        events, more = search.page(form.filters(), before)
        rows = [
            {
                "event": event,
                "object": search.shown_object(event),
                "detail": search.shown_detail(event),
            }
            for event in events
        ]
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "auditlog/log.html",
        {
            "form": form,
            "rows": rows,
            "more": more,
            "query": query.urlencode(),
            "first_page": "before" in request.GET,
        },
    )


def log_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = user_with(request, Permission.VIEW_AUDIT_LOG)
    form = _form(request)
    if form.is_bound and not form.is_valid():
        raise Http404("No such download")
    filters = form.filters()
    record(
        by=user,
        action="export.audit_log",
        format="csv",
        filters={k: str(v) for k, v in vars(filters).items() if v},
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    return exports.csv_response(search.csv_rows(filters), filename=f"audit-log-{stamp}.csv")
