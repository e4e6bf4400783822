"""Error pages: GOV.UK pattern, right status, and no need for a database or a request context."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from wholefamily.web.views import errors

HANDLERS = [
    (errors.bad_request, 400, "Sorry, there is a problem with your request"),
    (errors.permission_denied, 403, "You do not have permission to see this page"),
    (errors.page_not_found, 404, "Page not found"),
]


# No django_db mark: any database query in these handlers would fail the test.
@pytest.mark.parametrize(("handler", "status", "title"), HANDLERS)
def test_error_handlers_render_without_the_database(handler, status, title):
    response = handler(RequestFactory().get("/somewhere/"), Exception("x"))
    assert response.status_code == status
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in page
    assert 'id="main-content"' in page
    assert "Demo County Council" in page


def test_server_error_renders_without_the_database_or_request_context():
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in page
    assert "Traceback" not in page


def test_server_error_falls_back_to_plain_page_when_the_template_fails(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "APP_DIRS": False, "DIRS": []}]
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="wholefamily.web.tests.urls")
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/test-errors/400/", 400, "Sorry, there is a problem with your request"),
        ("/test-errors/403/", 403, "You do not have permission to see this page"),
        ("/no-such-page/", 404, "Page not found"),
        ("/test-errors/500/", 500, "Sorry, there is a problem with the service"),
    ],
)
def test_debug_off_serves_our_error_pages_not_django_technical_ones(path, status, title):
    assert settings.DEBUG is False
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in page
    assert "broken on purpose" not in page
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_form_sent_without_a_valid_csrf_token_gets_a_page_that_says_what_to_do():
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"username": "kim", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Your form was not sent</h1>' in page
    assert "Nothing you entered on that page has been saved." in page
