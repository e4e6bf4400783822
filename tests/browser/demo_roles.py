"""Each role's main task on the demo county, driven in Chromium as that role would do it (ADR 0018).

Each task takes the signed-in page, the live server's address and an `axe(name)` callback that checks the page it
is on; it returns what it did, for the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from wholefamily.cases.models import Case
from wholefamily.claims.models import Claim
from wholefamily.domain.claims.states import ClaimState
from wholefamily.domain.pathway import Stage

Axe = Callable[[str], None]


def run_jobs() -> None:
    """The background worker, once through the queue (the web only queues the job)."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="browser-demo",
    ).run()  # fmt: skip


def _job_finished(page: Any, axe: Axe, name: str) -> None:
    page.wait_for_url("**/jobs/**")
    run_jobs()
    page.reload()
    expect(page.locator("#job-status")).to_have_text("Succeeded")
    axe(name)


def key_worker(page: Any, base: str, axe: Axe) -> str:
    """Kim, the demo key worker, records the next review's distance-travelled scores for a family she has worked
    with since before today."""
    worker = get_user_model().objects.get(username="keyworker")
    case = (
        Case.objects.filter(key_worker=worker, stage=Stage.PLAN_ACTIVE, opened_on__lt=timezone.localdate())
        .order_by("opened_on")
        .first()
    )
    assert case is not None, "the demo key worker has no open family with a history"
    before = case.distance_assessments.count()
    page.get_by_role("link", name="Families", exact=True).click()
    page.get_by_role("link", name=case.family_name, exact=True).first.click()
    page.get_by_role("link", name="Distance travelled").first.click()
    expect(page.get_by_role("heading", name="Distance travelled", level=1)).to_be_visible()
    axe("distance travelled")
    page.get_by_role("link", name="Record scores").click()
    selects = page.locator("select[name^='score_']")
    for index in range(selects.count()):
        selects.nth(index).select_option("2")
    axe("distance travelled form")
    page.get_by_role("button", name="Save the scores").click()
    expect(page.get_by_text("scores have been saved").first).to_be_visible()
    assert case.distance_assessments.count() == before + 1
    return f"{case.family_name}: scores at time point {before + 1}"


def team_manager(page: Any, base: str, axe: Axe) -> str:
    """Morgan, the team manager, allocates a family from the waiting list to the key worker with most room."""
    page.goto(f"{base}/families/team/")
    expect(page.get_by_role("heading", name="Team caseload and allocation")).to_be_visible()
    waiting = Case.objects.filter(key_worker__isnull=True, stage=Stage.AWAITING_ALLOCATION).count()
    page.get_by_role("link", name="Allocate the ", exact=False).first.click()
    expect(page.get_by_role("heading", name="Allocate a key worker")).to_be_visible()
    axe("allocation")
    page.locator("input[type=radio]:not([disabled])").first.check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("The family has been allocated.")).to_be_visible()
    assert Case.objects.filter(key_worker__isnull=True, stage=Stage.AWAITING_ALLOCATION).count() == waiting - 1
    return f"allocated {page.get_by_role('heading', level=1).inner_text()}"


def programme_manager(page: Any, base: str, axe: Axe) -> str:
    """Priya, the programme manager, starts an identification run and computes the last claim window's claims."""
    page.goto(f"{base}/identification/start/")
    page.get_by_label("Supporting Families", exact=False).first.check()
    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill(str(timezone.localdate().year - 1))
    axe("identification form")
    page.get_by_role("button", name="Start the run").click()
    _job_finished(page, axe, "identification job")
    page.goto(f"{base}/claims/compute/")
    page.get_by_label("Claim window").select_option("supporting-families-2022/2025-03")
    page.get_by_label("Spot-check sample", exact=False).fill("10")
    axe("claims form")
    page.get_by_role("button", name="Compute the claims").click()
    _job_finished(page, axe, "claims job")
    claims = Claim.objects.filter(programme="supporting-families-2022", window="2025-03").count()
    return f"identified as of 30 November {timezone.localdate().year - 1}; window 2025-03 computed: {claims} claims"


def _move_claim(page: Any, base: str, claim: Claim, to: ClaimState, why: str) -> None:
    page.goto(f"{base}/claims/{claim.pk}/")
    expect(page.get_by_role("heading", name=claim.reference, exact=False).first).to_be_visible()
    page.get_by_label(to.label, exact=True).check()
    page.get_by_label("Why").fill(why)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"is now {to.label.lower()}")).to_be_visible()
    claim.refresh_from_db()
    assert claim.state == to


def auditor(page: Any, base: str, axe: Axe) -> str:
    """Ari, the internal auditor, opens the window's claims, validates one from its evidence pack and rejects
    another."""
    page.goto(f"{base}/claims/?scope=supporting-families-2022/2025-03")
    axe("claims in a window")
    drafts = list(Claim.objects.filter(window="2025-03", state=ClaimState.DRAFT).order_by("reference")[:2])
    assert len(drafts) == 2
    page.get_by_role("link", name=drafts[0].reference).first.click()
    expect(page.get_by_text("Evidence", exact=False).first).to_be_visible()
    axe("claim and evidence pack")
    _move_claim(page, base, drafts[0], ClaimState.VALIDATED, "Attendance and police records checked against the pack.")
    _move_claim(page, base, drafts[1], ClaimState.REJECTED, "The last term's attendance return is not in the pack.")
    return f"validated {drafts[0].reference}, rejected {drafts[1].reference}"


def data_analyst(page: Any, base: str, axe: Axe) -> str:
    """Alex, the data analyst, decides a pair in the clerical review queue."""
    page.goto(f"{base}/linkage/review/")
    expect(page.get_by_role("heading", name="Pairs to review", level=1)).to_be_visible()
    pairs = page.locator("a[href*='/linkage/review/']:not([href$='/review/']):not([href*='?'])")
    assert pairs.count() > 0, "the demo's review queue is empty"
    pairs.first.click()
    axe("review pair")
    page.get_by_label("Different people").check()
    page.get_by_label("Reason").fill("Different dates of birth and no shared address.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    return "one pair decided"


def commissioner(page: Any, base: str, axe: Axe) -> str:
    """Chris, the commissioner, reads funding and outcomes (the role changes nothing)."""
    page.goto(f"{base}/claims/funding/")
    expect(page.get_by_role("heading", name="Funding", exact=False).first).to_be_visible()
    return "funding read"


def administrator(page: Any, base: str, axe: Axe) -> str:
    """Ada, the administrator, adds a key worker to the demo team."""
    page.goto(f"{base}/staff/new/")
    stamp = dt.datetime.now().strftime("%H%M%S")
    page.get_by_label("Username").fill(f"new.worker{stamp}")
    page.get_by_label("First name").fill("Noor")
    page.get_by_label("Last name").fill("Hadid")
    page.get_by_label("Key worker").check()
    page.get_by_label("Team", exact=True).select_option(index=1)
    page.get_by_label("Temporary password").fill("river-lantern-quietly-42")
    axe("staff form")
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_role("heading", name="Noor Hadid")).to_be_visible()
    return "added Noor Hadid"


def provider(page: Any, base: str, axe: Axe) -> str:
    """Pam, the example therapy provider's contract manager, enters last quarter's service review report, its
    figures pre-filled from the council's referrals (ADR 0027)."""
    from wholefamily.domain.reporting.quarters import last_complete_quarter

    quarter = last_complete_quarter(timezone.localdate())
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.get_by_role("heading", name="Contracts and monitoring returns")).to_be_visible()
    page.get_by_role("link", name=quarter.label).first.click()
    page.get_by_label("What is working well").fill("Therapy at home in the evenings.")
    axe("quarterly return")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_text("has been submitted")).to_be_visible()
    return f"return for {quarter.short_label} submitted"


TASKS: dict[str, Callable[[Any, str, Axe], str]] = {
    "keyworker": key_worker,
    "manager": team_manager,
    "programme": programme_manager,
    "analyst": data_analyst,
    "commissioner": commissioner,
    "auditor": auditor,
    "admin": administrator,
    "provider": provider,
}
