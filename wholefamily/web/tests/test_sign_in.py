"""Sign-in and sign-out pages: GOV.UK markup, errors people can act on, and the lockout page."""

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import TEST_PASSWORD
from wholefamily.domain.roles import Role

pytestmark = pytest.mark.django_db


def test_sign_in_page_has_labelled_inputs_with_autocomplete(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("login") == "/sign-in/"
    assert '<label class="govuk-label govuk-label--s" for="id_username">Username</label>' in page
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert "There is a problem" not in page
    assert "<title>Sign in \u2013 WholeFamily \u2013 Demo County Council</title>" in page


def test_wrong_password_shows_error_summary_linked_to_the_field(client, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    response = client.post(reverse("login"), {"username": "kim", "password": "not-the-password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Sign in" in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_username">Enter a correct username and password</a>' in page
    assert 'value="kim"' in page  # the username is kept, the password never echoed
    assert "not-the-password" not in page


def test_empty_fields_say_what_to_enter(client):
    page = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page
    assert 'aria-describedby="id_password-error"' in page


def test_right_password_signs_in_and_goes_to_the_dashboard(client, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    response = client.post(reverse("login"), {"username": "kim", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")


def test_signed_in_user_opening_sign_in_goes_to_the_dashboard(client, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")


def test_sign_out_is_a_post_and_confirms(client, make_staff):
    client.force_login(make_staff("kim", Role.KEY_WORKER))
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have signed out" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_locked_out_user_is_told_when_to_try_again(client, make_staff):
    make_staff("kim", Role.KEY_WORKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "kim", "password": "not-the-password"})
    response = client.post(reverse("login"), {"username": "kim", "password": TEST_PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Signing in is paused</h1>' in page
    assert "You can try again in 15 minutes." in page
    assert 'class="govuk-template__body"' in page
