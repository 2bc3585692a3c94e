from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from coreflect.compliance import views as compliance_views

urlpatterns = [
    path("", compliance_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("coreflect.compliance.urls")),
    path("sessions/", include("coreflect.supervision.urls")),
    path("imports/", include("coreflect.imports.urls")),
    path("admin/", admin.site.urls),
]
