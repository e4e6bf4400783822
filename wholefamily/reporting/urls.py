from django.urls import path

from wholefamily.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("report-card/pathway/", views.pathway_card, name="pathway_card"),
    path("report-card/key-worker/", views.key_worker_card, name="key_worker_card"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("service-review/", views.service_review, name="service_review"),
    path("service-review/write/", views.write_service_review, name="write_service_review"),
    path("board-packs/", views.board_packs, name="board_packs"),
    path("board-packs/new/", views.build_board_pack, name="build_board_pack"),
    path("board-packs/<int:pk>/", views.board_pack, name="board_pack"),
    path("board-packs/<int:pk>/pack.pdf", views.board_pack_pdf, name="board_pack_pdf"),
    path("board-packs/<int:pk>/pack.xlsx", views.board_pack_xlsx, name="board_pack_xlsx"),
    path("case-file-audits/", views.case_audits, name="case_audits"),
    path("case-file-audits/<int:pk>/", views.case_audit, name="case_audit"),
    path("feedback/case/<int:pk>/new/", views.feedback_new, name="feedback_new"),
    path("feedback/<str:token>/", views.feedback_answer, name="feedback_answer"),
]
