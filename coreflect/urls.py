from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from coreflect.compliance import views as compliance_views
from coreflect.supervision import views as supervision_views

urlpatterns = [
    path("", compliance_views.home, name="home"),
    path("accounts/", include("coreflect.signin.urls")),
    path("", include("coreflect.compliance.urls")),
    path("sessions/", include("coreflect.supervision.urls")),
    path("calendar/", include("coreflect.calendars.urls")),
    path("imports/", include("coreflect.imports.urls")),
    path("policy/", include("coreflect.policy.urls")),
    path("notes/", include("coreflect.notes.urls")),
    path("disclosures/", include("coreflect.disclosures.urls")),
    path("retention/", include("coreflect.retention.urls")),
    path("audit/", include("coreflect.auditlog.urls")),
    path("staff/", include("coreflect.staff.urls")),
    path("governance/", include("coreflect.governance.urls")),
    path("agreements/", include("coreflect.agreements.urls")),
    path("absences/new/", supervision_views.new_absence_page, name="absence_new"),
    path("absences/<int:pk>/", supervision_views.change_absence_page, name="absence_change"),
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("vendor/assets/images/favicon.ico"))),
    ),
    path("admin/", admin.site.urls),
]
