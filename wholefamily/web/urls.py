"""The staff web's own pages: the dashboard. Sign-in and sign-out are in `auth_urls` (un-namespaced)."""

from django.urls import path

from wholefamily.web.views import dashboard

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
