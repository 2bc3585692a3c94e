from django.urls import path

from coreflect.compliance import views

app_name = "compliance"
urlpatterns = [
    path("matrix/", views.matrix_page, name="matrix"),
    path("matrix.csv", views.matrix_csv, name="matrix_csv"),
    path("matrix.xlsx", views.matrix_xlsx, name="matrix_xlsx"),
    # path, not str: an id stored before imports refused "/" must still make a link, not a 500.
    path("people/<path:external_id>/", views.person_page, name="person"),
    path("me/", views.who_am_i, name="me"),
]
