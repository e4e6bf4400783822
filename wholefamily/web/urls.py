"""The staff web's own pages: the dashboard and /favicon.ico. Sign-in and sign-out are in `auth_urls`."""

from django.urls import path

from wholefamily.web.views import dashboard, favicon

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("favicon.ico", favicon.favicon, name="favicon"),
]
