from django.urls import path

from coreflect.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.run_page, name="run"),
    path("<int:pk>/problems.txt", views.run_errors, name="errors"),
]
