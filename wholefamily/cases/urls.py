from django.urls import path, re_path

from wholefamily.cases.views import cohort, family, lists, referrals

app_name = "cases"

urlpatterns = [
    path("", lists.caseload, name="caseload"),
    path("team/", lists.team_caseload, name="team"),
    path("waiting/", lists.waiting_list, name="waiting"),
    path("reviews/", lists.reviews_due, name="reviews_due"),
    path("progress/", lists.progress, name="progress"),
    path("progress/estimate/", lists.set_estimate, name="set_estimate"),
    path("referrals/", referrals.referral_list, name="referrals"),
    path("referrals/new/", referrals.new_referral, name="new_referral"),
    path("referrals/<int:pk>/", referrals.referral, name="referral"),
    path("identified/<int:run_id>/<str:family_id>/", cohort.take_on, name="take_on"),
    path("<int:pk>/", family.family, name="family"),
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<section>assessment-and-plan|reviews|consent|budget|chronology)/$",
        family.family,
        name="family_section",
    ),
    path("<int:pk>/move/", family.move, name="move"),
    path("<int:pk>/allocate/", family.allocate, name="allocate"),
    path("<int:pk>/close/", family.close, name="close"),
    path("<int:pk>/assessment/", family.record_assessment, name="assessment"),
    path("<int:pk>/plan/", family.plan, name="plan"),
    path("<int:pk>/plan/goals/new/", family.add_goal, name="add_goal"),
    path("<int:pk>/plan/goals/<int:goal_pk>/achieved/", family.goal_achievement, name="goal_achievement"),
    path("<int:pk>/reviews/new/", family.record_review, name="review"),
    path("<int:pk>/members/new/", family.add_member, name="add_member"),
    path("<int:pk>/members/<int:member_pk>/", family.change_member, name="change_member"),
    path("<int:pk>/members/<int:member_pk>/left/", family.member_left, name="member_left"),
    path("<int:pk>/meetings/new/", family.taf_meeting, name="taf_meeting"),
    path("<int:pk>/notice/new/", family.fair_processing_notice, name="notice"),
    path("<int:pk>/consent/new/", family.consent, name="consent"),
    path("<int:pk>/budget/new/", family.budget, name="budget"),
    path("<int:pk>/budget/<int:line_pk>/", family.decide_spend, name="decide_spend"),
]
