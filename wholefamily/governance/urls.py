from django.urls import path

from wholefamily.governance import approval_views, views

app_name = "governance"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("approvals/", approval_views.approval_list, name="approval_list"),
    path("approvals/request/", approval_views.approval_request, name="approval_request"),
    path("approvals/<int:pk>/", approval_views.approval_detail, name="approval_detail"),
]
