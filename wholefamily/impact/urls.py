from django.urls import path

from wholefamily.impact import views

app_name = "impact"

urlpatterns = [
    path("", views.report, name="report"),
    path("savings/", views.savings, name="savings"),
    path("savings/cost-benefit.xlsx", views.savings_export, {"fmt": "xlsx"}, name="savings_xlsx"),
    path("savings/cost-benefit.pdf", views.savings_export, {"fmt": "pdf"}, name="savings_pdf"),
]
