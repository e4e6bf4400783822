from django.contrib import admin

from wholefamily.governance.models import AuditEvent, DataSharingAgreement, StaffProfile, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "district", "caseload_limit")
    search_fields = ("name", "district")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin[StaffProfile]):
    list_display = ("user", "team", "job_title", "agency")
    list_filter = ("team",)
    search_fields = ("user__username", "user__first_name", "user__last_name")


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(admin.ModelAdmin[DataSharingAgreement]):
    list_display = ("reference", "name", "partner", "start_on", "end_on")
    search_fields = ("reference", "name", "partner")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log is append-only."""

    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_id", "outcome")
    list_filter = ("outcome", "action")
    search_fields = ("actor_label", "object_type", "object_id", "request_id")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
