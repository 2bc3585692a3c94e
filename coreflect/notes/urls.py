"""Every notes address. Each part's pages live in their own module."""

from coreflect.notes import (
    agenda_views,
    caseload_views,
    model_views,
    pdf_views,
    register_views,
    views,
)

app_name = "notes"
urlpatterns = [
    *views.urlpatterns,
    *register_views.urlpatterns,
    *pdf_views.urlpatterns,
    *agenda_views.urlpatterns,
    *model_views.urlpatterns,
    *caseload_views.urlpatterns,
]
