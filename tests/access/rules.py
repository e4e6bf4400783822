"""PAGE_RULES: the pages whose answer the access matrix cannot derive from `@page_for`, the view's methods and the
access door alone, each with its reason (tests/access/policy.py explains the derivation). Role lists are the apps'
own constants, so a change of policy in an app changes the matrix's expectation with it."""

from __future__ import annotations

from tests.access.policy import Rule
from wholefamily.claims.selectors import CLAIM_READERS, FUNDING_READERS
from wholefamily.claims.views import CLAIM_COMPUTERS, SUBMISSION_READERS
from wholefamily.domain.roles import Action, Role
from wholefamily.governance import approvals
from wholefamily.governance.selectors import AUDIT_READERS
from wholefamily.identification.views import STARTERS
from wholefamily.ingest.selectors import INGEST_ROLES
from wholefamily.jobs.kinds import CHECK_DATA_STORE
from wholefamily.linkage.selectors import LINKAGE_ROLES
from wholefamily.outcomes.selectors import REPORT_READERS
from wholefamily.outcomes.views import MEASURERS

ADMINISTRATORS = (Role.ADMINISTRATOR,)
APPROVAL_PAGE_ROLES = tuple(
    sorted({role for kind in approvals.rule().kinds.values() for role in kind.requesters | kind.approvers})
)
CASE_VIEW = (Action.VIEW, "case", "team", "key_worker")
CASE_CHANGE = (Action.CHANGE, "case", "team", "key_worker")
NO_METHOD_CHECK = "no method decorator: a POST shows the page as a GET does"
CASE_FORM = "the case door (Action.CHANGE) for the family's team; an invalid form is shown again with 200"
CASE_PAGE = "the case door (Action.VIEW): a commissioner sees no family; " + NO_METHOD_CHECK
NO_EVALUATED_FAMILY = "the matrix's county has no evaluated family with that id: the door is proven, the page 404s"
ROLES_BEFORE_OBJECT = "the role is checked before the object, so another team's object answers 403, not 404"
STAFF = "administrators only (`_require_administrator`) before the object: " + ROLES_BEFORE_OBJECT

PAGE_RULES: dict[str, Rule] = {
    # Signing in and out, the second step and Your account.
    ":login": Rule(
        "someone signed in already is sent home (LoginView, redirect_authenticated_user)", get=302, post=302
    ),
    ":logout": Rule("signing out is a POST (Django's LogoutView refuses a GET)", get=405, post=302),
    "governance:mfa_verify": Rule("without a second factor the verify step sends you to set one up", get=302, post=302),
    "governance:mfa_codes": Rule(
        "codes are shown once after they are made (none waiting: back to Your account); making new ones needs a "
        "second factor (403 without)",
        get=302,
        post=403,
    ),
    "governance:mfa_turn_off": Rule("turning off a second factor nobody has goes back to Your account", post=302),
    "governance:account": Rule("Your account: " + NO_METHOD_CHECK, post=200),
    # Teams, staff, audit, approvals.
    "governance:team_list": Rule(NO_METHOD_CHECK, post=200),
    "governance:team_detail": Rule(NO_METHOD_CHECK, post=200),
    "governance:staff_detail": Rule(
        "a staff record is a personal record behind the access door (a commissioner sees none); " + NO_METHOD_CHECK,
        door=(Action.VIEW, "profile", "team", None),
        post=200,
    ),
    "governance:staff_list": Rule(STAFF + "; " + NO_METHOD_CHECK, roles=ADMINISTRATORS, post=200),
    "governance:staff_create": Rule(STAFF, roles=ADMINISTRATORS),
    "governance:team_create": Rule(STAFF, roles=ADMINISTRATORS),
    "governance:team_change": Rule(STAFF, roles=ADMINISTRATORS),
    "governance:staff_change": Rule(STAFF, roles=ADMINISTRATORS, other_team=403),
    "governance:staff_password": Rule(STAFF, roles=ADMINISTRATORS, other_team=403),
    "governance:staff_active": Rule(
        STAFF + "; the POST itself is the change (no form)", roles=ADMINISTRATORS, other_team=403, post=302
    ),
    "governance:staff_second_factor": Rule(
        STAFF + "; the POST itself is the reset (no form)", roles=ADMINISTRATORS, other_team=403, post=302
    ),
    "governance:subject_access": Rule(STAFF + "; " + NO_METHOD_CHECK, roles=ADMINISTRATORS, post=200),
    "governance:audit_log": Rule("AUDIT_READERS only; " + NO_METHOD_CHECK, roles=AUDIT_READERS, post=200),
    "governance:approval_list": Rule(
        "those who ask for or approve any kind of the two-person rule; " + NO_METHOD_CHECK,
        roles=APPROVAL_PAGE_ROLES,
        post=200,
    ),
    "governance:approval_detail": Rule(
        "the matrix's approval is a claim submission asked for by the programme manager: only those who ask for or "
        "approve claim submissions reach it (404 otherwise, a superuser holds no role); the asker and an "
        "administrator (no approver of that kind) may not decide it",
        roles=tuple(
            approvals.kind_of(approvals.CLAIM_SUBMISSION).requesters
            | approvals.kind_of(approvals.CLAIM_SUBMISSION).approvers
        ),
        refused=404,
        actors={"superuser": 404, "programme_manager": {"POST": 403}, "administrator": {"POST": 403}},
    ),
    "governance:approval_request": Rule("only a request signed by the page that needs approval is taken", post=403),
    "governance:reidentification_result": Rule(
        "only the person who asked (the matrix's data analyst) sees who the pseudonyms are",
        actors={"programme_manager": 404, "superuser": 404},
    ),
    # Data sets, linkage, jobs.
    "ingest:*": Rule("INGEST_ROLES only; the upload form shows its errors with 200", roles=INGEST_ROLES, post=200),
    "linkage:*": Rule("LINKAGE_ROLES only (the selectors refuse others)", roles=LINKAGE_ROLES),
    "linkage:start_run": Rule(
        "data analysts and administrators; the POST starts a job (no form)",
        roles=(Role.DATA_ANALYST, Role.ADMINISTRATOR),
        post=302,
    ),
    "linkage:person_detail": Rule(
        "LINKAGE_ROLES only; " + ROLES_BEFORE_OBJECT + "; " + NO_METHOD_CHECK,
        roles=LINKAGE_ROLES,
        other_team=403,
        post=200,
    ),
    "jobs:start_check_data_store": Rule(
        "the job kind's starter roles; the POST starts it (no form)",
        roles=tuple(CHECK_DATA_STORE.starter_roles),
        post=302,
    ),
    "jobs:job_detail": Rule(
        "a job is seen by its team and by those who oversee jobs; a team manager of its team sees it only through "
        "the family it is for",
        actors={"team_manager": 404, "commissioner": 404, "auditor": 404, "provider": 404},
    ),
    "jobs:job_progress": Rule(
        "as the job's page",
        actors={"team_manager": 404, "commissioner": 404, "auditor": 404, "provider": 404},
    ),
    "jobs:job_cancel": Rule(
        "the person who started a job or an administrator cancels it (the POST is the change); overseers may look, "
        "not cancel (403); others do not reach it (404)",
        post=302,
        actors={
            "programme_manager": {"POST": 403},
            "data_analyst": {"POST": 403},
            "team_manager": {"POST": 404},
            "commissioner": {"POST": 404},
            "auditor": {"POST": 404},
            "provider": {"POST": 404},
        },
    ),
    # Identification.
    "identification:start": Rule("STARTERS only", roles=STARTERS),
    "identification:need": Rule(
        "the matrix's run has no evaluated families on disk: the page says so with 404", get=404
    ),
    "identification:family": Rule(
        "a cohort family behind the access door (a commissioner sees none); a judgement is entered by those who work "
        "with families (403 to data analysts and auditors); an invalid judgement is shown again with 200",
        door=(Action.VIEW, "cohort_family", "team", None),
        post=200,
        actors={"data_analyst": {"POST": 403}, "auditor": {"POST": 403}},
    ),
    "identification:cohort": Rule(
        "RUN_READERS through the run's selector: a provider (not one of them) finds no run (404)",
        actors={"provider": 404},
    ),
    "identification:cohort_export": Rule(
        "RUN_READERS through the run's selector: a provider (not one of them) finds no run (404)",
        actors={"provider": 404},
    ),
    # Outcomes.
    "outcomes:report": Rule("REPORT_READERS only; " + NO_METHOD_CHECK, roles=REPORT_READERS, post=200),
    "outcomes:measure": Rule("MEASURERS only", roles=MEASURERS),
    "outcomes:family": Rule(CASE_PAGE, door=CASE_VIEW, post=200),
    "outcomes:distance": Rule(CASE_PAGE, door=CASE_VIEW, post=200),
    "outcomes:record_distance": Rule(CASE_FORM, door=CASE_CHANGE, post=200),
    # Claims.
    "claims:*": Rule("CLAIM_READERS only; " + ROLES_BEFORE_OBJECT, roles=CLAIM_READERS, other_team=403),
    "claims:compute": Rule("CLAIM_COMPUTERS only", roles=CLAIM_COMPUTERS),
    "claims:funding": Rule("FUNDING_READERS only", roles=FUNDING_READERS),
    "claims:submission": Rule(
        "SUBMISSION_READERS; until a second person approves, the two-person rule's page (200) offers to ask",
        roles=SUBMISSION_READERS,
    ),
    "reporting:case_audit": Rule(
        "the case door (Action.CHANGE) for the family's team, after the auditor roles; the matrix's family is open, so "
        "in no quarter's sample of closed cases: the door is proven, the page 404s",
        door=(Action.CHANGE, "case", "team", None),
        get=404,
        post=404,
    ),
    "reporting:feedback_new": Rule(CASE_FORM, door=CASE_CHANGE, post=400),
    "reporting:feedback_answer": Rule(
        "deliberately public (no sign-in, no role): a family member or partner answers with a single-use link; the "
        "token is the key, so an unknown token answers 404 to everyone, signed in or not",
        get=404,
        post=404,
    ),
    "claims:family": Rule(NO_EVALUATED_FAMILY, roles=CLAIM_READERS, other_team=403, get=404),
    "claims:family_pdf": Rule(NO_EVALUATED_FAMILY, roles=CLAIM_READERS, other_team=403, get=404),
    # Cases: lists and pages without a method check, referrals, taking on, and the case door.
    "cases:caseload": Rule(NO_METHOD_CHECK, post=200),
    "cases:team": Rule(NO_METHOD_CHECK, post=200),
    "cases:waiting": Rule(NO_METHOD_CHECK, post=200),
    "cases:reviews_due": Rule(NO_METHOD_CHECK, post=200),
    "cases:progress": Rule(NO_METHOD_CHECK, post=200),
    "cases:referrals": Rule(NO_METHOD_CHECK, post=200),
    "cases:set_estimate": Rule("an invalid estimate is shown again with 200", post=200),
    "cases:new_referral": Rule(
        "those with a team to record it for (key workers, team and programme managers); an invalid form is shown "
        "again with 200",
        roles=(Role.KEY_WORKER, Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER),
        post=200,
    ),
    "cases:referral": Rule(
        "a referral behind the access door (a commissioner sees none); deciding it is for team and programme "
        "managers (403 to others); an invalid decision is shown again with 200",
        door=(Action.VIEW, "referral", "team", None),
        post=200,
        actors={
            "key_worker": {"POST": 403},
            "data_analyst": {"POST": 403},
            "auditor": {"POST": 403},
            "administrator": {"POST": 403},
        },
    ),
    "cases:import_cases": Rule(
        "team and programme managers bring existing cases in", roles=(Role.TEAM_MANAGER, Role.PROGRAMME_MANAGER)
    ),
    "cases:take_on": Rule(
        "the family is on the programme already: taking it on again goes to its case (302); a commissioner or a "
        "provider sees no family",
        get=302,
        post=302,
        actors={"commissioner": 404, "provider": 404},
    ),
    "cases:family": Rule(CASE_PAGE, door=CASE_VIEW, post=200),
    "cases:family_section": Rule(CASE_PAGE, door=CASE_VIEW, post=200),
    **{
        f"cases:{name}": Rule(CASE_FORM, door=CASE_CHANGE, post=200)
        for name in (
            "allocate",
            "close",
            "assessment",
            "plan",
            "add_goal",
            "goal_achievement",
            "review",
            "add_member",
            "change_member",
            "member_left",
            "taf_meeting",
            "notice",
            "consent",
            "budget",
            "decide_spend",
        )
    },
    "cases:move": Rule(
        CASE_FORM + "; an administrator has no move on the pathway, so the move page is not there for them (404)",
        door=CASE_CHANGE,
        post=200,
        actors={"administrator": 404},
    ),
    # Commissioning (ADR 0027): the catalogue and the figures by @page_for; a family's referrals behind the case door.
    "commissioning:service_create": Rule("CATALOGUE_EDITORS; an invalid form is shown again with 200", post=200),
    "commissioning:service_change": Rule("CATALOGUE_EDITORS; an invalid form is shown again with 200", post=200),
    "commissioning:family_referrals": Rule(
        "the case door (Action.VIEW) on the family whose referrals they are: a commissioner sees no family",
        door=CASE_VIEW,
    ),
    "commissioning:refer": Rule(CASE_FORM, door=CASE_CHANGE, post=200),
    "commissioning:referral": Rule(
        "a referral is its family's: the case door (Action.VIEW) to look, Action.CHANGE to record a step (403 to "
        "data analysts and auditors); an invalid step is shown again with 200",
        door=CASE_VIEW,
        post=200,
        actors={"data_analyst": {"POST": 403}, "auditor": {"POST": 403}},
    ),
    "commissioning:market_position_new": Rule("CATALOGUE_EDITORS; an invalid form is shown again with 200", post=200),
    "commissioning:contract_create": Rule("CATALOGUE_EDITORS; an invalid form is shown again with 200", post=200),
    "commissioning:quarterly_return": Rule(
        "CONTRACT_READERS see a return; only the contract's provider users enter one (403 to the others, a superuser "
        "included: a return is the provider's word); every box is optional, so an empty return is a return (302)",
        post=302,
        actors={"commissioner": {"POST": 403}, "programme_manager": {"POST": 403}, "superuser": {"POST": 403}},
    ),
    # The API's pages (its operations are walked with tokens by tests/access/test_api_matrix.py).
    "api_pages:token_revoke": Rule(
        "the token's owner (the matrix's administrator) or an administrator revokes it (the POST is the change); "
        "to anyone else the token is not there (404)",
        post=302,
        actors={role.value: {"POST": 404} for role in Role if role is not Role.ADMINISTRATOR},
    ),
    # The service's front door.
    "web:dashboard": Rule(NO_METHOD_CHECK, post=200),
    "web:favicon": Rule("the icon is served from the static files (a redirect)", get=302, post=302),
}
