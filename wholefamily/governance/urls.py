from django.urls import path

from wholefamily.governance import agreement_views, approval_views, mfa_views, pseudonym_views, staff_views, views

app_name = "governance"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", staff_views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/change/", staff_views.team_change, name="team_change"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/new/", staff_views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/change/", staff_views.staff_change, name="staff_change"),
    path("staff/<int:pk>/password/", staff_views.staff_password, name="staff_password"),
    path("staff/<int:pk>/active/", staff_views.staff_active, name="staff_active"),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/", mfa_views.account, name="account"),
    path("account/password/", mfa_views.password_change, name="password_change"),
    path("account/two-step/set-up/", mfa_views.mfa_set_up, name="mfa_set_up"),
    path("account/two-step/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path("account/two-step/recovery-codes/", mfa_views.mfa_codes, name="mfa_codes"),
    path("account/two-step/turn-off/", mfa_views.mfa_turn_off, name="mfa_turn_off"),
    path("staff/<int:pk>/two-step/", staff_views.staff_second_factor, name="staff_second_factor"),
    path("subject-access/", staff_views.subject_access, name="subject_access"),
    path("approvals/", approval_views.approval_list, name="approval_list"),
    path("approvals/request/", approval_views.approval_request, name="approval_request"),
    path("approvals/<int:pk>/", approval_views.approval_detail, name="approval_detail"),
    path("agreements/", agreement_views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/", agreement_views.agreement_detail, name="agreement_detail"),
    path("retention/", agreement_views.retention_dry_run, name="retention"),
    path("reidentification/", pseudonym_views.reidentification, name="reidentification"),
    path("reidentification/<int:pk>/", pseudonym_views.reidentification_result, name="reidentification_result"),
]
