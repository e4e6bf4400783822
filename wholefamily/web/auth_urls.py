"""Sign-in and sign-out, under the plain URL names "login" and "logout" that settings.LOGIN_URL expects."""

from django.urls import path

from wholefamily.web.views.auth import SignInView, SignOutView

urlpatterns = [
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", SignOutView.as_view(), name="logout"),
]
