"""Admin: district estimates only. Cases change through the pages and services, never the admin (no case event)."""

from django.contrib import admin

from wholefamily.cases.models import DistrictEstimate


@admin.register(DistrictEstimate)
class DistrictEstimateAdmin(admin.ModelAdmin[DistrictEstimate]):
    list_display = ("district", "families_estimated")
    search_fields = ("district",)
