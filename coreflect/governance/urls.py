from django.urls import path

from coreflect.governance import views

app_name = "governance"
urlpatterns = [
    path("concerns/", views.concerns_page, name="concerns"),
    path("concerns/new/", views.new_concern_page, name="new_concern"),
    path("concerns/<int:pk>/", views.concern_page, name="concern"),
    path("concerns/counts/", views.counts_page, name="counts"),
]
