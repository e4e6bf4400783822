from django.urls import path

from wholefamily.commissioning import views

app_name = "commissioning"

urlpatterns = [
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/change/", views.service_change, name="service_change"),
    path("capacity/", views.capacity, name="capacity"),
    path("needs/", views.needs, name="needs"),
    path("market-position/", views.market_position, name="market_position"),
    path("market-position/new/", views.market_position_new, name="market_position_new"),
    path("market-position/<int:version>.pdf", views.market_position_pdf, name="market_position_pdf"),
    path("families/<int:pk>/services/", views.family_referrals, name="family_referrals"),
    path("families/<int:pk>/goals/<int:goal_pk>/refer/", views.refer, name="refer"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/returns/<str:quarter>/", views.quarterly_return, name="quarterly_return"),
]
