from django.urls import path

from wholefamily.impact import views

app_name = "impact"

urlpatterns = [
    path("", views.report, name="report"),
    path("run/", views.run_impact, name="run_impact"),
    path("savings/", views.savings, name="savings"),
    path("savings/run/", views.run_savings, name="run_savings"),
    path("savings/cost-benefit.xlsx", views.savings_export, {"fmt": "xlsx"}, name="savings_xlsx"),
    path("savings/cost-benefit.pdf", views.savings_export, {"fmt": "pdf"}, name="savings_pdf"),
    path("unit-costs/", views.unit_costs, name="unit_costs"),
    path("unit-costs/<int:pk>/", views.unit_cost_set, name="unit_cost_set"),
    path("unit-costs/template.xlsx", views.unit_cost_template, name="unit_cost_template"),
]
