from django.urls import path

from coreflect.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("new/", views.add_person, name="add"),
    path("<int:pk>/", views.edit_person, name="edit"),
    path("<int:pk>/leaving/", views.leaving, name="leaving"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/role/", views.grant_role, name="role"),
]
