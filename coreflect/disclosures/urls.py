from django.urls import path

from coreflect.disclosures import views

app_name = "disclosures"
urlpatterns = [
    path("", views.disclosures_page, name="list"),
    path("new/", views.record_page, name="new"),
    path("counts/", views.counts_page, name="counts"),
]
