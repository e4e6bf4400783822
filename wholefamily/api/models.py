"""API tokens, service accounts and the answers kept for idempotency keys (ADR 0026)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# The named resources a token may be scoped to, each for reading or writing (ADR 0026).
RESOURCES: dict[str, str] = {
    "cases": "Families on the programme: members, stage, key worker, plan and goals, reviews",
    "referrals": "Referrals and their gatekeeping decisions",
    "identification": "Identification runs, their cohorts and the evidence behind each family",
    "jobs": "Background jobs and their progress",
    "audit": "The audit log (auditors, administrators and programme managers)",
    "outcomes": "A family's distance-travelled scores over time and the outcomes it reached",
    "claims": "Results claims with their evidence packs and state history (programme managers, internal audit)",
    "deliveries": "Data set deliveries (a file starts its import) and their validation reports (data analysts)",
    "extracts": "Family-level returns to government: build one as a job, download its CSV (programme managers)",
}
ACCESS_LEVELS = ("read", "write")
ALL_SCOPES: tuple[str, ...] = tuple(f"{resource}:{level}" for resource in RESOURCES for level in ACCESS_LEVELS)


class ServiceAccount(models.Model):
    """Marks a user as a service account: another system acting through the API under a role and a team (its
    groups and staff profile, as any user's). It has no password and cannot sign in to the web pages."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_account")
    purpose = models.CharField(max_length=300, help_text="Which system uses it, and for what.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"service account {self.user.get_username()}"


class ApiToken(models.Model):
    """A bearer token for the API, tied to one user (a person or a service account).

    Only a digest of the secret is kept: the token is shown once, when made. `prefix` (the token's first part,
    not secret) finds the row; the secret is checked against `secret_digest` in constant time.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=120, help_text="What the token is for, e.g. 'Children's case system'.")
    prefix = models.CharField(max_length=16, unique=True)
    secret_digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list, help_text="Named resources and read or write, e.g. 'cases:read'.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The rate limit's fixed window (ADR 0026: counted in the database, so every web process shares one count).
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_calls = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.prefix} ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: object = None) -> bool:
        return self.expires_at <= (now or timezone.now())  # type: ignore[operator]

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired()

    def allows(self, resource: str, level: str) -> bool:
        """Whether the token is scoped to this resource at this level (write includes read)."""
        scopes = set(self.scopes or [])
        return f"{resource}:{level}" in scopes or (level == "read" and f"{resource}:write" in scopes)


class IdempotentAnswer(models.Model):
    """The answer given to a write sent with an Idempotency-Key: the same key again gets the same answer, and
    nothing is written twice. A key is the user's own; reusing it for a different request is refused (422)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    operation = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=64, help_text="Digest of the request body the key was first used with.")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
