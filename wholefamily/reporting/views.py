"""The reporting pages: report cards, service monitoring and the board packs (for programme managers and
commissioners, ADR 0021). Figures only: every count passes the small-numbers rule; no page shows a family."""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from wholefamily.cases.models import Case
from wholefamily.domain.reporting import card as rba
from wholefamily.domain.reporting.quarters import Quarter, parse_quarter, quarters_ending
from wholefamily.domain.roles import Action, Role
from wholefamily.extracts.selectors import may_read as may_read_extracts
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.jobs.services import start_job
from wholefamily.reporting import audits, feedback, selectors
from wholefamily.reporting.definitions import case_audit_definition, feedback_definition
from wholefamily.reporting.indirect import indirect_impact
from wholefamily.reporting.models import BoardPack, CaseAudit, ServiceReview
from wholefamily.reporting.records import family_records, referral_records
from wholefamily.reporting.services import REVIEW_WRITERS, save_service_review
from wholefamily.reporting.tables import table_view
from wholefamily.reporting.tasks import BUILD_BOARD_PACK, build_pack
from wholefamily.web.forms import GovukForm
from wholefamily.web.http import posted, signed_in_user
from wholefamily.web.pages import page_for

READERS = (Role.PROGRAMME_MANAGER, Role.COMMISSIONER)


def _quarter(request: HttpRequest, choices: list[Quarter]) -> Quarter:
    try:
        chosen = parse_quarter(request.GET.get("quarter", "")[:20])
    except ValueError:
        return choices[0]
    return chosen if chosen in choices else choices[0]


@login_required
@page_for(*READERS)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    may_audit = access.has_role(request.user, *audits.AUDITORS)
    may_extract = may_read_extracts(request.user)
    context = {"quarter": selectors.default_quarter(), "may_audit": may_audit, "may_extract": may_extract}
    return render(request, "reporting/index.html", context)


def _card(request: HttpRequest, element: str) -> HttpResponse:
    user = signed_in_user(request)
    selectors.require_reader(user)
    records = family_records(for_user=user)
    choices = selectors.quarter_choices(records)
    quarter = _quarter(request, choices)
    allowed = rba.choices_for(records)
    chosen = {name: request.GET.get(name, "")[:120] for name, _ in rba.FILTER_FIELDS}
    chosen = {name: value for name, value in chosen.items() if value in allowed[name]}
    card = selectors.build_card(
        records, element=element, quarter=quarter, chosen=chosen, trend=selectors.TREND_QUARTERS
    )
    slug = element.replace("_", "-")  # an audit row names the card in words, not by its code
    record(by=user, action="view", object_type="reporting.report_card", object_id=f"{slug}/{quarter.code}",
           detail={"filters": card.chosen})  # fmt: skip
    labels = dict(rba.FILTER_FIELDS)
    audits_done, audit_tables = audits.results_tables(quarter)
    feedback_done, feedback_tables = feedback.results_tables(quarter)
    filters = [
        {"name": name, "label": label, "values": allowed[name], "chosen": chosen.get(name, "")}
        for name, label in rba.FILTER_FIELDS
    ]
    return render(
        request,
        "reporting/card.html",
        {
            "card": card,
            "quarter_choices": choices,
            "filters": filters,
            "chosen_labels": [(labels[name], value) for name, value in card.chosen.items()],
            "plan_results": table_view(card.plan_results, card.rule),
            "time_with_families": table_view(card.time_with_families, card.rule) if card.time_with_families else None,
            "audits_done": card.rule.count_text(audits_done),
            "audit_tables": [table_view(t, card.rule) for t in audit_tables] if element == "pathway" else None,
            "audit_definition": case_audit_definition(),
            "feedback_done": card.rule.count_text(feedback_done),
            "feedback_tables": [table_view(t, card.rule) for t in feedback_tables],
            "feedback_definition": feedback_definition(),
        },
    )


@login_required
@page_for(*READERS)
@require_GET
def pathway_card(request: HttpRequest) -> HttpResponse:
    return _card(request, "pathway")


@login_required
@page_for(*READERS)
@require_GET
def key_worker_card(request: HttpRequest) -> HttpResponse:
    return _card(request, "key_worker")


@login_required
@page_for(*READERS)
@require_GET
def monitoring(request: HttpRequest) -> HttpResponse:
    """Appendix C section 13.1's indicators for a quarter and the three before it, with the breakdowns."""
    user = signed_in_user(request)
    selectors.require_reader(user)
    families = family_records(for_user=user)
    choices = selectors.quarter_choices(families)
    quarter = _quarter(request, choices)
    report = selectors.build_monitoring(families, referral_records(for_user=user), quarter=quarter)
    indirect = indirect_impact(families, quarter)
    record(by=user, action="view", object_type="reporting.monitoring", object_id=quarter.code)
    questions: dict[str, list[selectors.IndicatorRow]] = {}
    for row in report.rows:
        questions.setdefault(row.question, []).append(row)
    return render(
        request,
        "reporting/monitoring.html",
        {
            "report": report,
            "quarter_choices": choices,
            "questions": list(questions.items()),
            "tables": [table_view(t, report.rule) for t in report.breakdowns],
            "indirect": indirect,
            "indirect_families": report.rule.count_text(indirect.families),
        },
    )


# --- the quarterly service review (Commissioning for Families with Complex Needs, Appendix C section 13.3) -----------

REVIEW_TEXT_CHARS = 5000


class ServiceReviewForm(GovukForm):
    quarter = forms.ChoiceField(label="Quarter", error_messages={"required": "Choose the quarter the review is of"})
    progress_against_aims = forms.CharField(
        label="Progress against aims", required=False, max_length=REVIEW_TEXT_CHARS, widget=forms.Textarea,
        error_messages={"max_length": f"Progress against aims must be {REVIEW_TEXT_CHARS:,} characters or fewer"},
    )  # fmt: skip
    what_works = forms.CharField(
        label="What works", required=False, max_length=REVIEW_TEXT_CHARS, widget=forms.Textarea,
        error_messages={"max_length": f"What works must be {REVIEW_TEXT_CHARS:,} characters or fewer"},
    )  # fmt: skip
    difficulties = forms.CharField(
        label="Difficulties", required=False, max_length=REVIEW_TEXT_CHARS, widget=forms.Textarea,
        error_messages={"max_length": f"Difficulties must be {REVIEW_TEXT_CHARS:,} characters or fewer"},
    )  # fmt: skip
    feedback = forms.CharField(
        label="Feedback", required=False, max_length=REVIEW_TEXT_CHARS, widget=forms.Textarea,
        help_text="From families, partners and staff, in words: no names.",
        error_messages={"max_length": f"Feedback must be {REVIEW_TEXT_CHARS:,} characters or fewer"},
    )  # fmt: skip

    def __init__(self, *args: object, quarters: list[Quarter], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["quarter"].choices = [(q.code, q.label) for q in quarters]  # type: ignore[attr-defined]


@login_required
@page_for(*READERS)
@require_GET
def service_review(request: HttpRequest) -> HttpResponse:
    """The quarter's service review report: the chart of the agreed data and the quarter's figures beside the
    narrative written in the service (its current version)."""
    user = signed_in_user(request)
    families = family_records(for_user=user)
    choices = selectors.quarter_choices(families)
    quarter = _quarter(request, choices)
    report = selectors.build_monitoring(families, referral_records(for_user=user), quarter=quarter)
    review = ServiceReview.objects.filter(quarter=quarter.code).order_by("-version").first()
    record(by=user, action="view", object_type="reporting.service_review", object_id=quarter.code)
    index = report.quarters.index(quarter)
    return render(
        request,
        "reporting/service_review.html",
        {
            "report": report,
            "quarter_choices": choices,
            "review": review,
            "agreed": [(row.label, row.values[index].text) for row in report.rows],
            "may_write": access.has_role(user, *REVIEW_WRITERS),
        },
    )


@login_required
@page_for(*REVIEW_WRITERS)
@require_http_methods(["GET", "POST"])
def write_service_review(request: HttpRequest) -> HttpResponse:
    """Write the quarter's narrative: each save is its next version (a board pack keeps the one it was built with)."""
    user = signed_in_user(request)
    choices = selectors.quarter_choices(family_records(for_user=user))
    quarter = _quarter(request, choices)
    current = ServiceReview.objects.filter(quarter=quarter.code).order_by("-version").first()
    initial: dict[str, object] = {"quarter": quarter.code}
    if current is not None:
        initial.update({name: getattr(current, name) for name, _ in ServiceReview.SECTIONS})
    form = ServiceReviewForm(posted(request), quarters=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = parse_quarter(form.cleaned_data["quarter"])
        save_service_review(quarter=chosen, texts=form.cleaned_data, by=user)
        return HttpResponseRedirect(f"{reverse('reporting:service_review')}?quarter={chosen.code}")
    status = 400 if request.method == "POST" else 200
    return render(request, "reporting/service_review_form.html", {"form": form, "quarter": quarter}, status=status)


# --- board packs (ADR 0022) ------------------------------------------------------------------------------------------


class BuildPackForm(GovukForm):
    quarter = forms.ChoiceField(label="Quarter", error_messages={"required": "Choose the quarter the pack reports on"})

    def __init__(self, *args: object, quarters: list[Quarter], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["quarter"].choices = [(q.code, q.label) for q in quarters]  # type: ignore[attr-defined]


@login_required
@page_for(*READERS)
@require_GET
def board_packs(request: HttpRequest) -> HttpResponse:
    """The packs kept, newest quarter and version first."""
    user = signed_in_user(request)
    packs = list(selectors.board_packs(for_user=user).defer("pdf", "xlsx", "figures"))
    return render(
        request,
        "reporting/board_packs.html",
        {"packs": packs, "may_build": access.has_role(user, *selectors.PACK_BUILDERS)},
    )


@login_required
@page_for(*selectors.PACK_BUILDERS)
@require_http_methods(["GET", "POST"])
def build_board_pack(request: HttpRequest) -> HttpResponse:
    """Build a quarter's pack as a background job."""
    user = signed_in_user(request)
    quarters = selectors.quarter_choices(family_records(for_user=user))
    form = BuildPackForm(posted(request), quarters=quarters, initial={"quarter": quarters[0].code})
    if request.method == "POST" and form.is_valid():
        quarter = parse_quarter(form.cleaned_data["quarter"])
        job = start_job(
            kind=BUILD_BOARD_PACK,
            title=f"Build the board pack for {quarter.label}",
            task=build_pack,
            args={"quarter": quarter.code, "user_id": user.pk},
            by=user,
        )
        return HttpResponseRedirect(reverse("jobs:job_detail", args=[job.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "reporting/build_board_pack.html", {"form": form}, status=status)


def _pack(request: HttpRequest, pk: int) -> BoardPack:
    user = signed_in_user(request)
    try:
        return selectors.board_packs(for_user=user).get(pk=pk)
    except BoardPack.DoesNotExist:
        raise Http404 from None


@login_required
@page_for(*READERS)
@require_GET
def board_pack(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    quarter = parse_quarter(pack.quarter)
    record(by=request.user, action="view", obj=pack)
    sections = pack.figures.get("sections", [])
    return render(
        request,
        "reporting/board_pack.html",
        {"pack": pack, "quarter": quarter, "titles": [s["title"] for s in sections] + ["Notes on method"]},
    )


def _download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    pack = _pack(request, pk)
    record(by=request.user, action="reporting.download_board_pack", obj=pack, detail={"file": kind})
    content, content_type = (
        (bytes(pack.pdf), "application/pdf")
        if kind == "pdf"
        else (bytes(pack.xlsx), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = HttpResponse(content, content_type=content_type)
    name = f"board-pack-{pack.quarter}-v{pack.version}.{kind}"
    disposition = "inline" if kind == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@login_required
@page_for(*READERS)
@require_GET
def board_pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


@login_required
@page_for(*READERS)
@require_GET
def board_pack_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "xlsx")


# --- case file audits (ADR 0021) -------------------------------------------------------------------------------------


class CaseAuditForm(GovukForm):
    """The quality audit of one case file: a radio for each question of the definition, the gaps and notes as text."""

    gaps = forms.CharField(
        label="Gaps in multi-agency support",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="Support the family needed that no agency gave, and why. Kept with the audit, never on a report.",
    )
    notes = forms.CharField(
        label="What else the audit found",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="Kept with the audit, never on a report.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        questions = {}
        for question in case_audit_definition().questions:
            questions[question.code] = forms.ChoiceField(
                label=question.label,
                help_text=question.hint,
                choices=list(question.options),
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose an answer to: {question.label}"},
            )
        self.fields = {**questions, **self.fields}

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        for question in case_audit_definition().questions:
            if question.gaps and cleaned.get(question.code) in {"partly", "no"} and not cleaned.get("gaps"):
                self.add_error("gaps", "Describe the gaps in multi-agency support")
        return cleaned


AUDIT_QUARTERS = 8


def _audit_quarters() -> list[Quarter]:
    """The quarters whose samples may be drawn: the latest finished one and the seven before, newest first."""
    return list(reversed(quarters_ending(selectors.default_quarter(), AUDIT_QUARTERS)))


@login_required
@page_for(*audits.AUDITORS)
@require_GET
def case_audits(request: HttpRequest) -> HttpResponse:
    """The quarter's sample of closed case files in the user's reach, each with its audit or a link to do it."""
    user = signed_in_user(request)
    quarter = _quarter(request, _audit_quarters())
    sampled = audits.sample(quarter, for_user=user)
    closed = len(audits.closed_in(quarter, for_user=user))
    record(by=user, action="view", object_type="reporting.case_audit_sample", object_id=quarter.code,
           detail={"cases": [item.case.reference for item in sampled]})  # fmt: skip
    return render(
        request,
        "reporting/case_audits.html",
        {
            "quarter": quarter,
            "sampled": sampled,
            "closed": closed,
            "definition": case_audit_definition(),
            "quarter_choices": _audit_quarters(),
        },
    )


@login_required
@page_for(*audits.AUDITORS)
@require_http_methods(["GET", "POST"])
def case_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """Audit one sampled case file (a case out of the user's reach answers 404, one not in a sample 404 too)."""
    user = signed_in_user(request)
    case = access.get_object_for(
        user, Case.objects.select_related("team"), action=Action.CHANGE, team_field="team", pk=pk
    )
    quarter = audits.is_sampled(case)
    if quarter is None:
        raise Http404
    existing = CaseAudit.objects.filter(case=case, quarter=quarter.code).first()
    initial = {**existing.answers, "gaps": existing.gaps, "notes": existing.notes} if existing else {}
    form = CaseAuditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers = {q.code: str(data[q.code]) for q in case_audit_definition().questions}
        audits.save_audit(case=case, quarter=quarter, answers=answers, gaps=data["gaps"], notes=data["notes"], by=user)
        return HttpResponseRedirect(f"{reverse('reporting:case_audits')}?quarter={quarter.code}")
    return render(
        request,
        "reporting/case_audit.html",
        {"case": case, "quarter": quarter, "form": form, "existing": existing},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- family and partner feedback (ADR 0021) --------------------------------------------------------------------------

FEEDBACK_MAKERS = (Role.KEY_WORKER, Role.TEAM_MANAGER)
# Tokens asked about from one address before it is refused for a while: a person answers one link, a guesser many.
FEEDBACK_LOOKUPS = 30
FEEDBACK_WINDOW_SECONDS = 600


class FeedbackLinkForm(GovukForm):
    """Who is asked, when, and the first name the answer page greets them by."""

    respondent = forms.ChoiceField(
        label="Who is the link for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the link is for"},
    )
    occasion = forms.ChoiceField(
        label="When are you asking?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when you are asking"},
    )
    first_name = forms.CharField(
        label="Their first name",
        max_length=60,
        help_text="The only thing the answer page shows. For a partner, the name of the person at the agency.",
        error_messages={
            "required": "Enter their first name",
            "max_length": "Enter a first name of 60 characters or fewer",
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        definition = feedback_definition()
        self.fields["respondent"].choices = list(definition.respondents)  # type: ignore[attr-defined]
        self.fields["occasion"].choices = list(definition.occasions)  # type: ignore[attr-defined]


class FeedbackAnswerForm(GovukForm):
    """The questionnaire: a radio for each question of the definition and an optional comment."""

    comment = forms.CharField(
        label="Anything else you want to tell us (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": "Enter 2000 characters or fewer"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        questions = {}
        for question in feedback_definition().questions:
            questions[question.code] = forms.ChoiceField(
                label=question.label,
                help_text=question.hint,
                choices=list(question.options),
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose an answer to: {question.label}", "invalid_choice":
                                f"Choose an answer to: {question.label}"},
            )  # fmt: skip
        self.fields = {**questions, **self.fields}


@login_required
@page_for(*FEEDBACK_MAKERS)
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a single-use feedback link for a case in reach (the case door, Action.CHANGE; audited). The link is
    shown once: only its hash is kept."""
    user = signed_in_user(request)
    case = access.get_object_for(
        user, Case.objects.select_related("team"), action=Action.CHANGE, team_field="team", pk=pk
    )
    form = FeedbackLinkForm(posted(request))
    link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _, token = feedback.make_request(
            case=case, occasion=data["occasion"], respondent=data["respondent"], first_name=data["first_name"], by=user
        )
        link = request.build_absolute_uri(reverse("reporting:feedback_answer", args=[token]))
        form = FeedbackLinkForm()
    return render(
        request,
        "reporting/feedback_new.html",
        {"case": case, "form": form, "link": link, "days": feedback_definition().expires_after_days},
        status=400 if form.is_bound and form.errors else 200,
    )


def _too_many_lookups(request: HttpRequest) -> bool:
    """Whether this address has asked about FEEDBACK_LOOKUPS links in the last FEEDBACK_WINDOW_SECONDS. Counted in
    the database, so the limit holds across processes; the address is kept only as a hash, only for the window."""
    from wholefamily.governance.client_address import client_address
    from wholefamily.reporting.models import FeedbackLookup

    address = client_address(request) or str(request.META.get("REMOTE_ADDR", ""))
    key = hashlib.sha256(address.encode()).hexdigest()
    now = timezone.now()
    since = now - dt.timedelta(seconds=FEEDBACK_WINDOW_SECONDS)
    FeedbackLookup.objects.filter(at__lt=since).delete()  # nothing is kept past the window
    if FeedbackLookup.objects.filter(address_hash=key, at__gte=since).count() >= FEEDBACK_LOOKUPS:
        return True
    FeedbackLookup.objects.create(address_hash=key, at=now)
    return False


@never_cache  # the page is the token's: no shared cache keeps it
@require_http_methods(["GET", "POST"])
def feedback_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire for a single-use link, for a family member or a partner without a staff account. It is
    public on purpose: the token is the key. An unknown, forged, used or expired token answers 404 alike; one address
    asking about many tokens is refused (429) for a while. The page shows the first name and nothing else."""
    if _too_many_lookups(request):
        return HttpResponse("Too many requests. Try again later.", status=429, content_type="text/plain")
    feedback_request = feedback.open_request(token)
    if feedback_request is None:
        raise Http404
    form = FeedbackAnswerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers = {q.code: str(data[q.code]) for q in feedback_definition().questions}
        if not feedback.answer(feedback_request.pk, answers=answers, comment=data["comment"]):
            raise Http404
        return render(request, "reporting/feedback_thanks.html", {})
    return render(
        request,
        "reporting/feedback_answer.html",
        {"first_name": feedback_request.first_name, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
