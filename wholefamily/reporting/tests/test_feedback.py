"""Family and partner feedback: a key worker makes a single-use link from the case page (the case door, audited;
only the token's hash kept); the public answer page shows a first name only, refuses an incomplete answer with the
error summary, takes one answer and then answers 404, as it does for an expired, forged or unknown token and for
hostile input (never a 500); many lookups from one address are refused; the whole pathway card counts the answers
with small numbers hidden and never shows a comment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from wholefamily.cases.lookups import section_url
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent, Team
from wholefamily.reporting import feedback, views
from wholefamily.reporting.models import FeedbackRequest
from wholefamily.reporting.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db
ANSWER = {"satisfaction": "very", "value": "a_lot", "progress": "better", "comment": "Secret comment about Dad"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _link(client: Any, county: Any) -> tuple[Any, str]:
    case = county.cases[0]
    client.force_login(county.key_worker)
    made = client.post(
        reverse("reporting:feedback_new", args=[case.pk]),
        {"respondent": "family", "occasion": "closure", "first_name": "Ottilie"},
    )
    assert made.status_code == 200
    path = made.content.decode().split('id="feedback-link">')[1].split("</code>")[0].split("testserver")[1]
    client.logout()
    return case, path


def test_a_key_worker_makes_a_link_from_the_case_page_audited_and_only_its_hash_kept(client: Any, county: Any) -> None:
    case = county.cases[0]
    client.force_login(county.key_worker)
    page = client.get(section_url(case, "reviews")).content.decode()
    assert reverse("reporting:feedback_new", args=[case.pk]) in page
    refused = client.post(reverse("reporting:feedback_new", args=[case.pk]), {"respondent": "family"})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    assert 'href="#id_occasion_0"' in refused.content.decode()
    _, path = _link(client, county)
    request = FeedbackRequest.objects.get()
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert request.token_sha256 not in token and token.split(":")[0] not in str(request.__dict__)
    assert request.first_name == "Ottilie" and request.answered_at is None
    assert request.expires_at - request.created_at == dt.timedelta(days=28)
    assert AuditEvent.objects.filter(object_type="reporting.feedbackrequest", action="create").exists()
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action="view").exists()


def test_out_of_reach_and_wrong_roles_are_refused(client: Any, county: Any, make_staff: Any) -> None:
    south_case = next(case for case in county.cases if case.team.name == "South team")
    client.force_login(county.key_worker)
    assert client.get(reverse("reporting:feedback_new", args=[south_case.pk])).status_code == 404
    client.force_login(county.commissioner)
    assert client.get(reverse("reporting:feedback_new", args=[county.cases[0].pk])).status_code == 403
    south_worker = make_staff("kw.south", Role.KEY_WORKER, team=Team.objects.get(name="South team"))
    client.force_login(south_worker)
    assert client.get(reverse("reporting:feedback_new", args=[county.cases[0].pk])).status_code == 404


def test_the_link_is_answered_once_without_an_account_and_shows_a_first_name_only(client: Any, county: Any) -> None:
    case, path = _link(client, county)
    page = client.get(path)
    body = page.content.decode()
    assert page.status_code == 200 and "Hello Ottilie" in body
    assert case.reference not in body and case.family_name not in body
    incomplete = client.post(path, {"satisfaction": "very", "value": "no-such-answer"})
    body = incomplete.content.decode()
    assert incomplete.status_code == 400 and "There is a problem" in body and 'href="#id_progress_0"' in body
    assert FeedbackRequest.objects.get().answered_at is None
    done = client.post(path, ANSWER)
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    answered = FeedbackRequest.objects.get()
    assert answered.answers == {"satisfaction": "very", "value": "a_lot", "progress": "better"}
    assert answered.comment == "Secret comment about Dad" and answered.answered_at is not None
    assert AuditEvent.objects.filter(object_type="reporting.feedbackrequest", action="change").exists()
    assert client.get(path).status_code == 404
    assert client.post(path, {**ANSWER, "satisfaction": "not"}).status_code == 404
    assert FeedbackRequest.objects.get().answers["satisfaction"] == "very"


def test_an_expired_link_answers_404(client: Any, county: Any) -> None:
    _, path = _link(client, county)
    FeedbackRequest.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(path).status_code == 404
    assert client.post(path, ANSWER).status_code == 404


def test_a_token_older_than_its_days_is_refused_by_its_signature(county: Any) -> None:
    request, token = feedback.make_request(
        case=county.cases[0], occasion="review", respondent="partner", first_name="Ann", by=county.key_worker
    )
    assert feedback.open_request(token) == request
    signer = signing.TimestampSigner(salt=feedback.SALT)
    raw = token.split(":")[0]
    old = signing.TimestampSigner(salt=feedback.SALT)
    old.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 29 * 86400)  # type: ignore[method-assign]
    assert feedback.open_request(old.sign(raw)) is None
    assert feedback.open_request(signer.sign(raw)) == request


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "a" * 5000,
        "' OR 1=1 --",
        "%00",
        "..%2F..%2Fetc",
        "abc:def:ghi",
        "é€😀",
        "<script>alert(1)</script>",
    ],
)
def test_hostile_tokens_answer_404_never_500(client: Any, county: Any, token: str) -> None:
    assert client.get(f"/reports/feedback/{token}/").status_code == 404
    assert client.post(f"/reports/feedback/{token}/", ANSWER).status_code == 404


def test_a_forged_signature_on_a_real_token_answers_404(client: Any, county: Any) -> None:
    _, path = _link(client, county)
    raw, stamp, _signature = path.strip("/").rsplit("/", 1)[1].split(":")
    assert client.get(f"/reports/feedback/{raw}:{stamp}:forged/").status_code == 404
    assert client.get(f"/reports/feedback/{raw}/").status_code == 404
    assert client.get(path).status_code == 200


def test_hostile_answers_are_refused_without_a_500(client: Any, county: Any) -> None:
    _, path = _link(client, county)
    for data in (
        {"satisfaction": ["very", "not"], "value": "a_lot" * 1000, "progress": "\x00"},
        {**ANSWER, "comment": "x" * 5000},
        {"satisfaction": "<script>", "value": "'; DROP TABLE x; --", "progress": "better"},
    ):
        answer = client.post(path, data)
        assert answer.status_code == 400 and "There is a problem" in answer.content.decode()
    assert FeedbackRequest.objects.get().answered_at is None


def test_many_lookups_from_one_address_are_refused(client: Any, county: Any) -> None:
    from wholefamily.reporting.models import FeedbackLookup

    for index in range(views.FEEDBACK_LOOKUPS):
        assert client.get(f"/reports/feedback/guess{index}/").status_code == 404
    assert client.get("/reports/feedback/guess-again/").status_code == 429
    # Counted in the database, not in one process's memory: a process with an empty cache refuses the address too.
    cache.clear()
    assert client.get("/reports/feedback/guess-again/").status_code == 429
    assert client.get("/reports/feedback/guess-elsewhere/", REMOTE_ADDR="192.0.2.9").status_code == 404
    kept = set(FeedbackLookup.objects.values_list("address_hash", flat=True))
    assert len(kept) == 2 and "127.0.0.1" not in str(kept) and all(len(key) == 64 for key in kept)
    # Past the window the look-ups are forgotten (deleted) and the address may ask again.
    FeedbackLookup.objects.update(at=timezone.now() - dt.timedelta(seconds=views.FEEDBACK_WINDOW_SECONDS + 1))
    assert client.get("/reports/feedback/guess-later/").status_code == 404
    assert FeedbackLookup.objects.count() == 1


def test_the_pathway_card_counts_the_answers_with_small_numbers_hidden_and_no_comment(client: Any, county: Any) -> None:
    inside = timezone.make_aware(dt.datetime.combine(QUARTER.starts_on + dt.timedelta(days=10), dt.time(12)))
    for index in range(7):
        request, _ = feedback.make_request(
            case=county.cases[index], occasion="closure", respondent="family", first_name="A", by=county.key_worker
        )
        satisfaction = "very" if index < 6 else "fairly"
        FeedbackRequest.objects.filter(pk=request.pk).update(
            answered_at=inside,
            answers={"satisfaction": satisfaction, "value": "a_lot", "progress": "better"},
            comment="Secret comment",
        )
    feedback.make_request(  # asked but not answered: not counted
        case=county.cases[8], occasion="review", respondent="partner", first_name="B", by=county.key_worker
    )
    client.force_login(county.commissioner)
    page = client.get(reverse("reporting:pathway_card") + f"?quarter={QUARTER.code}").content.decode()
    section = page[page.index('id="feedback"') : page.index('id="method"')]
    assert "Family and partner feedback" in section and "Very satisfied" in section
    assert "Secret" not in page and "fewer than 5" in section
    answered, tables = feedback.results_tables(QUARTER)
    direct = FeedbackRequest.objects.filter(
        answered_at__date__range=(QUARTER.starts_on, QUARTER.ends_on), answers__satisfaction="very"
    ).count()
    assert answered == 7 and direct == 6
    satisfaction = [cell.count for row in tables[0].table.rows for cell in row]
    assert satisfaction[:3] == [6, 1, 0]
    hidden = [cell.is_hidden for row in tables[0].table.rows for cell in row]
    assert hidden[1]  # one answer of seven is not shown
