from django.urls import path

from coreflect.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_page, name="settings"),
]
