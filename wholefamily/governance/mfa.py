"""Two-step verification (ADR 0015): a time-based code from an authenticator app, with single-use recovery codes.

Built on django-otp's TOTP and static-token devices; recovery codes are kept only as salted digests
(`RecoveryCode`, ADR 0020), never in django-otp's token table. Setting up, verifying, new recovery codes and an
administrator's reset are services here; every one is audited (the codes themselves never are).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from wholefamily.domain import recovery_codes
from wholefamily.domain.roles import Role
from wholefamily.governance import access
from wholefamily.governance.audit import record
from wholefamily.governance.models import AuditEvent, RecoveryCode

AnyUser = AbstractBaseUser | AnonymousUser

REQUIRED_FOR = (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def is_required_for(user: AnyUser) -> bool:
    """Whether this user must set up two-step verification before anything else (the setting, then the role)."""
    if not settings.WHOLEFAMILY_MFA_REQUIRED or not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False) or access.user_roles(user) & set(REQUIRED_FOR))


def has_second_factor(user: AnyUser) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def pending_app_device(*, user: AnyUser) -> TOTPDevice:
    """The authenticator app device being set up (made once, kept until confirmed, so a reload shows the same key)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: AnyUser) -> list[str]:
    """Ten new codes, stored hashed; returned as a person reads them, to be shown once."""
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [recovery_codes.new_code() for _ in range(RECOVERY_CODES)]
    stored = []
    for code in codes:
        salt = recovery_codes.new_salt()
        stored.append(RecoveryCode(device=device, salt=salt, digest=recovery_codes.digest(code, salt=salt)))
    RecoveryCode.objects.bulk_create(stored)
    return [recovery_codes.shown(code) for code in codes]


def _use_recovery_code(device: StaticDevice, typed: str) -> bool:
    """Whether a typed code is one of the device's, deleting it if so (used once), under django-otp's throttling
    of the device. Inside a transaction: two sign-ins racing with one code cannot both delete it."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False
    for code in RecoveryCode.objects.select_for_update().filter(device=device):
        if recovery_codes.matches(typed, salt=code.salt, stored_digest=code.digest):
            if RecoveryCode.objects.filter(pk=code.pk).delete()[0] == 0:
                break  # used a moment ago by another sign-in
            device.throttle_reset(commit=False)
            device.set_last_used_timestamp(commit=False)
            device.save()
            return True
    device.throttle_increment()
    return False


@transaction.atomic
def confirm_app(*, device: TOTPDevice, code: str, by: AnyUser) -> list[str] | None:
    """Confirm the app with a first code; returns the new recovery codes (shown once), or None if the code is wrong."""
    if device.user_id != by.pk or not device.verify_token(code.strip().replace(" ", "")):
        record(by=by, action="mfa.set_up", obj=by, outcome=AuditEvent.Outcome.FAILED)  # type: ignore[arg-type]
        return None
    TOTPDevice.objects.filter(user_id=by.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(by=by, action="mfa.set_up", obj=by)  # type: ignore[arg-type]
    return _new_recovery_codes(by)


@transaction.atomic
def replace_recovery_codes(*, by: AnyUser) -> list[str]:
    codes = _new_recovery_codes(by)
    record(by=by, action="mfa.new_recovery_codes", obj=by)  # type: ignore[arg-type]
    return codes


def verify(*, user: AnyUser, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code (an app code, or a recovery code, used once), audited either way."""
    token = recovery_codes.normalised(code)
    # Six digits are an app code, anything else a recovery code: a wrong guess slows down only the kind tried.
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, kind):
            continue
        with transaction.atomic():
            accepted = (
                _use_recovery_code(device, token) if isinstance(device, StaticDevice) else device.verify_token(token)
            )
            if accepted:
                used = "recovery code" if isinstance(device, StaticDevice) else "app"
                record(by=user, action="mfa.verify", obj=user, detail={"with": used})  # type: ignore[arg-type]
                return device
    record(by=user, action="mfa.verify", obj=user, outcome=AuditEvent.Outcome.FAILED)  # type: ignore[arg-type]
    return None


def recovery_codes_left(user: AnyUser) -> int:
    return int(RecoveryCode.objects.filter(device__in=StaticDevice.objects.filter(user_id=user.pk)).count())


@transaction.atomic
def turn_off(*, user: AnyUser, by: AnyUser) -> None:
    """Remove a user's second factor: by themselves when it is optional, or by an administrator (a lost phone)."""
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    StaticDevice.objects.filter(user_id=user.pk).delete()
    record(by=by, action="mfa.turn_off", obj=user, detail={"by_self": user.pk == by.pk})  # type: ignore[arg-type]
