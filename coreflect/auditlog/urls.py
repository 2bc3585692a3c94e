from django.urls import path

from coreflect.auditlog import views

app_name = "auditlog"
urlpatterns = [
    path("", views.log_page, name="log"),
    path("audit-log.csv", views.log_csv, name="csv"),
]
