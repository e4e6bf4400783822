from django.urls import path

from wholefamily.governance import views

app_name = "governance"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("audit/", views.audit_log, name="audit_log"),
]
