from django.urls import path

from coreflect.retention import views

app_name = "retention"
urlpatterns = [
    path("", views.review_page, name="review"),
    path("deleted/", views.deleted_page, name="deleted"),
]
