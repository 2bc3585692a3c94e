from django.urls import path

from coreflect.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/one-to-one/", views.new_one_to_one, name="new_one_to_one"),
    path("new/co-reflection/", views.new_co_reflection, name="new_co_reflection"),
    path("series/", views.series_list, name="series_list"),
    path("series/new/group/", views.new_group, name="new_group"),
    path("series/new/one-to-one/", views.new_one_to_one_series, name="new_one_to_one_series"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("relationships/", views.relationships, name="relationships"),
    path("relationships/<int:pk>/end/", views.end_relationship, name="end_relationship"),
    path("relationships/<int:pk>/change/", views.change_relationship, name="change_relationship"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
