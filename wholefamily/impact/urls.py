from django.urls import path

from wholefamily.impact import views

app_name = "impact"

urlpatterns = [
    path("", views.report, name="report"),
]
