"""The cases app's models: a family on the programme and everything recorded about its pathway."""

from wholefamily.cases.models.budget import BudgetLine
from wholefamily.cases.models.case import Allocation, Case, CaseEvent, DistrictEstimate, Member
from wholefamily.cases.models.consent import Consent, FairProcessingNotice
from wholefamily.cases.models.referral import Referral
from wholefamily.cases.models.work import Assessment, AssessmentScore, Goal, Plan, Review, TafAttendee, TafMeeting

__all__ = [
    "Allocation",
    "Assessment",
    "AssessmentScore",
    "BudgetLine",
    "Case",
    "CaseEvent",
    "Consent",
    "DistrictEstimate",
    "FairProcessingNotice",
    "Goal",
    "Member",
    "Plan",
    "Referral",
    "Review",
    "TafAttendee",
    "TafMeeting",
]
