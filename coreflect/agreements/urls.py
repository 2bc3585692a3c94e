from django.urls import path

from coreflect.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/write/", views.write, name="write"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/review/", views.request_review, name="review"),
    path("<int:pk>/versions/<int:version>/", views.version_page, name="version"),
    path("<int:pk>/versions/<int:version>.pdf", views.version_pdf, name="version_pdf"),
]
