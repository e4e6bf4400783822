"""The two-person rule: a second authorised person approves exactly the content, never the one who asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from wholefamily.domain.roles import Role
from wholefamily.governance import approvals
from wholefamily.governance.models import Approval, AuditEvent

pytestmark = pytest.mark.django_db

KIND = approvals.CLAIM_SUBMISSION


@pytest.fixture
def people(make_staff):
    return {
        "asker": make_staff("pat", Role.PROGRAMME_MANAGER),
        "second": make_staff("quinn", Role.PROGRAMME_MANAGER),
        "auditor": make_staff("ines", Role.AUDITOR),
        "worker": make_staff("kim", Role.KEY_WORKER),
    }


def _ask(people, fingerprint="f1"):
    return approvals.request_approval(kind=KIND, subject="tf-2012/2014-07", fingerprint=fingerprint,
                                      reason="July window", by=people["asker"])  # fmt: skip


def test_the_asker_cannot_approve_their_own_request(people):
    approval = _ask(people)
    with pytest.raises(approvals.ApprovalError, match="second person"):
        approvals.decide_approval(approval=approval, approve=True, by=people["asker"])
    assert approvals.current_approval(kind=KIND, subject="tf-2012/2014-07", fingerprint="f1") is None
    assert AuditEvent.objects.filter(action="approval.decide", outcome="denied").count() == 1


def test_only_authorised_roles_ask_and_approve(people):
    with pytest.raises(PermissionDenied):
        approvals.request_approval(kind=KIND, subject="s", fingerprint="f", reason="r", by=people["auditor"])
    approval = _ask(people)
    with pytest.raises(PermissionDenied):
        approvals.decide_approval(approval=approval, approve=True, by=people["worker"])
    approvals.decide_approval(approval=approval, approve=True, by=people["auditor"])
    assert approvals.current_approval(kind=KIND, subject="tf-2012/2014-07", fingerprint="f1") is not None
    assert AuditEvent.objects.filter(action="approval.approve", actor=people["auditor"]).exists()


def test_an_approval_covers_only_the_content_approved_and_expires(people):
    approval = approvals.decide_approval(approval=_ask(people), approve=True, by=people["second"])
    assert approvals.current_approval(kind=KIND, subject="tf-2012/2014-07", fingerprint="changed") is None
    Approval.objects.filter(pk=approval.pk).update(decided_at=timezone.now() - timedelta(days=8))
    assert approvals.current_approval(kind=KIND, subject="tf-2012/2014-07", fingerprint="f1") is None


def test_refusal_needs_a_reason_and_a_decision_is_final(people):
    approval = _ask(people)
    with pytest.raises(approvals.ApprovalError, match="why"):
        approvals.decide_approval(approval=approval, approve=False, by=people["second"])
    approvals.decide_approval(approval=approval, approve=False, note="Two claims unchecked", by=people["second"])
    with pytest.raises(approvals.ApprovalError, match="already been decided"):
        approvals.decide_approval(approval=approval, approve=True, by=people["auditor"])


def test_a_repeated_request_returns_the_open_one(people):
    assert _ask(people).pk == _ask(people).pk
    assert _ask(people, fingerprint="f2").pk != _ask(people).pk


def test_pages_list_and_decide_and_refuse_others(client, people):
    approval = _ask(people)
    client.force_login(people["worker"])
    assert client.get(reverse("governance:approval_list")).status_code == 403
    client.force_login(people["asker"])
    page = client.get(reverse("governance:approval_detail", args=[approval.pk]))
    assert page.status_code == 200 and "Save decision" not in page.content.decode()
    assert (
        client.post(reverse("governance:approval_detail", args=[approval.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(people["second"])
    listing = client.get(reverse("governance:approval_list")).content.decode()
    assert "Waiting for your decision" in listing and "tf-2012/2014-07" in listing
    response = client.post(reverse("governance:approval_detail", args=[approval.pk]), {"decision": "refuse"})
    assert response.status_code == 400 and "Say why you are refusing it" in response.content.decode()
    response = client.post(reverse("governance:approval_request"), {"request": "forged", "reason": "x"})
    assert response.status_code == 403
