"""People, teams, data-sharing agreements and the audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class Team(models.Model):
    """A team of key workers and their manager, serving one district of the county."""

    name = models.CharField(max_length=120, unique=True)
    district = models.CharField(max_length=120, help_text="The district the team serves.")
    caseload_limit = models.PositiveSmallIntegerField(
        default=8, help_text="Default most families one key worker of this team may hold at once."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A member of staff: their team and job title. Their roles are the user's groups."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    job_title = models.CharField(max_length=120, blank=True)
    agency = models.CharField(max_length=120, blank=True, help_text="Employing agency, e.g. the council or police.")

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class DataSharingAgreement(models.Model):
    """The agreement under which a partner shares a data set with the programme."""

    name = models.CharField(max_length=200)
    partner = models.CharField(max_length=200)
    reference = models.CharField(max_length=80, unique=True)
    purpose = models.TextField(blank=True)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    parties = models.TextField(blank=True, help_text="Every organisation party to the agreement, one a line.")
    lawful_basis = models.TextField(blank=True, help_text="The lawful basis for sharing, e.g. UK GDPR Article 6(1)(e).")
    kinds = models.JSONField(default=list, blank=True, help_text="The dataset kinds imported under this agreement.")
    retention_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How long records shared under it are kept (default: the retention file).",
    )

    class Meta:
        ordering = ["partner", "name"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.name}"


class AuditEvent(models.Model):
    """One access or change: who, when, what action on which object, and how it ended.

    Append-only: rows are never updated or deleted by the application, and on PostgreSQL the database itself
    refuses it (a trigger). Each row carries its place in the chain (`sequence`) and a hash over its content
    and the previous row's hash (ADR 0015), so a rewrite anywhere shows in `wholefamily verify_audit`.
    It records access and change; the pathway's business history is a separate, coded case event log.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        DENIED = "denied", "Denied"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: a user who has acted is deactivated, never deleted (setting the actor to NULL would rewrite history).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="Username at the time, kept if the user goes.")
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    request_id = models.CharField(max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    sequence = models.BigIntegerField(unique=True, null=True, help_text="Place in the hash chain, from 1.")
    previous_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: object, **kwargs: object) -> None:
        """Append this event to the chain: its place and hash are fixed under the chain's append lock, which is
        held until the surrounding transaction ends (so call `record()` late in a long transaction)."""
        if not self._state.adding:
            raise ValueError("Audit events are append-only")
        from wholefamily.governance import chain

        with transaction.atomic():
            previous_sequence, previous_hash = chain.lock_and_read_head()
            self.occurred_at = timezone.now()
            chain.seal(self, previous_sequence=previous_sequence, previous_hash=previous_hash)
            super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only")


def new_request_id() -> str:
    return str(uuid.uuid4())


class Approval(models.Model):
    """A second person's approval of an action under the two-person rule (ADR 0015).

    `subject` names what is approved (a claim window "tf-2012/2014-07", a re-identification request) and
    `fingerprint` the exact content approved, so a change after approval needs a new one.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField()
    summary = models.JSONField(default=dict, blank=True, help_text="What the approver is shown, e.g. claims and total.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["kind", "subject", "state"], name="approval_subject_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} ({self.state})"


class PurgedDelivery(models.Model):
    """A delivery whose records were purged at the end of its retention period (ADR 0015). The dataset version's
        row stays as provenance (no personal data); its stored rows, their links to persons and the copies of them held
    elsewhere are gone."""

    version_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=40)
    expired_on = models.DateField()
    purged_at = models.DateTimeField(default=timezone.now)
    person_links_removed = models.PositiveIntegerField(default=0)
    copies_removed = models.JSONField(
        default=dict,
        blank=True,
        help_text="Copies of its records removed with it: linkage snapshots, identification results and evidence "
        "rows, clerical review decisions (ADR 0020).",
    )
    by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-purged_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.version_id} purged {self.purged_at:%Y-%m-%d}"


class RecoveryCode(models.Model):
    """One single-use recovery code of a person's second factor (ADR 0020): its salted digest, never the code.

    django-otp's own token table (which holds codes as typed) stays empty; `governance.mfa` checks codes here,
    under the recovery device's throttling, and deletes the one that was used."""

    device = models.ForeignKey("otp_static.StaticDevice", on_delete=models.CASCADE, related_name="recovery_codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"
