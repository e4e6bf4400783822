"""Two-step verification: required roles set it up at first sign-in, everyone who has it verifies, recovery codes
work once, every step is audited; and self-service password change against the password rules."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD
from wholefamily.domain.roles import Role
from wholefamily.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows (a later step's, to use the same device twice within 30 seconds)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def required(settings):
    settings.WHOLEFAMILY_MFA_REQUIRED = True


def _set_up(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("governance:mfa_set_up"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    key = "".join(re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.content.decode()).group(1).split())
    assert len(key) == 32  # the base32 key the page shows is the device's
    response = client.post(reverse("governance:mfa_set_up"), {"code": code_for(device), "next": "/families/"})
    assert response.status_code == 302
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</li>", codes_page)
    assert len(codes) == 10
    device.refresh_from_db()
    return device, codes


def test_a_programme_manager_must_set_up_at_first_sign_in_then_verify_every_time(client, make_staff, required):
    pat = make_staff("pat", Role.PROGRAMME_MANAGER)
    client.force_login(pat)
    response = client.get("/claims/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("governance:mfa_set_up"))
    device, codes = _set_up(client)
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.set_up", actor=pat, outcome="success").exists()

    client.logout()
    client.force_login(pat)  # a new sign-in: the second step again
    response = client.get("/claims/")
    assert response["Location"] == reverse("governance:mfa_verify") + "?next=%2Fclaims%2F"
    wrong = client.post(reverse("governance:mfa_verify"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="mfa.verify", actor=pat, outcome="failed").count() == 1
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = client.post(reverse("governance:mfa_verify"), {"code": code_for(device, steps_ahead=1), "next": "/claims/"})
    assert ok.status_code == 302 and ok["Location"] == "/claims/"

    # A recovery code works once.
    client.logout()
    client.force_login(pat)
    assert client.post(reverse("governance:mfa_verify"), {"code": codes[0]}).status_code == 302
    client.logout()
    client.force_login(pat)
    assert client.post(reverse("governance:mfa_verify"), {"code": codes[0]}).status_code == 400
    time.sleep(1.1)  # a failure slows the next try (throttling: 1 second after one failure)
    assert client.post(reverse("governance:mfa_verify"), {"code": codes[1]}).status_code == 302
    assert client.post(reverse("governance:mfa_turn_off")).status_code == 403  # required for the role


def test_others_may_choose_it_and_then_always_verify(client, make_staff, make_team, required):
    kim = make_staff("kim", Role.KEY_WORKER, team=make_team("North"))
    client.force_login(kim)
    assert client.get(reverse("web:dashboard")).status_code == 200  # not required for a key worker
    _device, codes = _set_up(client)
    client.logout()
    client.force_login(kim)
    assert client.get(reverse("web:dashboard"))["Location"].startswith(reverse("governance:mfa_verify"))
    assert client.post(reverse("governance:mfa_turn_off")).status_code == 302  # to the second step first
    assert TOTPDevice.objects.filter(user=kim).exists()
    assert client.post(reverse("governance:mfa_verify"), {"code": codes[1]}).status_code == 302
    # A key worker may turn it off (a programme manager may not: see the previous test's role).
    assert client.post(reverse("governance:mfa_turn_off")).status_code == 302
    assert not TOTPDevice.objects.filter(user=kim).exists()


def test_the_setting_off_leaves_it_optional_and_an_administrator_can_reset_it(client, make_staff):
    pat = make_staff("pat", Role.PROGRAMME_MANAGER)
    ada = make_staff("ada", Role.ADMINISTRATOR)
    client.force_login(pat)
    assert client.get(reverse("web:dashboard")).status_code == 200
    _set_up(client)
    client.force_login(ada)
    response = client.post(reverse("governance:staff_second_factor", args=[pat.staff_profile.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=pat).exists()
    assert AuditEvent.objects.filter(action="mfa.turn_off", actor=ada).exists()


def test_self_service_password_change_checks_the_rules_and_is_audited(client, make_staff):
    kim = make_staff("kim", Role.KEY_WORKER)
    client.force_login(kim)
    url = reverse("governance:password_change")
    weak = client.post(url, {"old_password": TEST_PASSWORD, "new_password1": "aaaaaaaaaaaa",
                             "new_password2": "aaaaaaaaaaaa"})  # fmt: skip
    assert weak.status_code == 400 and "too easy to guess" in weak.content.decode()
    wrong = client.post(url, {"old_password": "not-it", "new_password1": "otter-meadow-candle-19",
                              "new_password2": "otter-meadow-candle-19"})  # fmt: skip
    assert wrong.status_code == 400
    ok = client.post(url, {"old_password": TEST_PASSWORD, "new_password1": "otter-meadow-candle-19",
                           "new_password2": "otter-meadow-candle-19"})  # fmt: skip
    assert ok.status_code == 302
    kim.refresh_from_db()
    assert kim.check_password("otter-meadow-candle-19")
    assert client.get(reverse("governance:account")).status_code == 200  # still signed in
    assert AuditEvent.objects.filter(action="account.change_password", outcome="success").count() == 1
    assert AuditEvent.objects.filter(action="account.change_password", outcome="failed").count() == 2


def test_the_database_holds_no_recovery_code_only_salted_digests(client, make_staff):
    """Recovery codes are shown once and stored hashed (ADR 0020): no table holds a code as typed."""
    from django.db import connection
    from django_otp.plugins.otp_static.models import StaticToken

    from wholefamily.governance.models import RecoveryCode

    kim = make_staff("kim", Role.KEY_WORKER)
    client.force_login(kim)
    _device, codes = _set_up(client)
    assert StaticToken.objects.count() == 0
    stored = list(RecoveryCode.objects.filter(device__user=kim))
    assert len(stored) == 10 and len({code.salt for code in stored}) == 10
    plain = {code.replace("-", "") for code in codes}
    with connection.cursor() as cursor:  # every text column of both tables, read raw
        cursor.execute("SELECT salt, digest FROM governance_recoverycode")
        cells = {cell for row in cursor.fetchall() for cell in row}
        cursor.execute("SELECT token FROM otp_static_statictoken")
        cells |= {row[0] for row in cursor.fetchall()}
    assert not any(code in cell for code in plain for cell in cells)
    # Typed as shown, without hyphens, in capitals or with spaces: all the same code.
    client.logout()
    client.force_login(kim)
    typed = codes[2].replace("-", " ").upper()
    assert client.post(reverse("governance:mfa_verify"), {"code": typed}).status_code == 302
    assert RecoveryCode.objects.filter(device__user=kim).count() == 9


def test_the_migration_hashes_codes_kept_as_typed(make_staff):
    """Codes made before ADR 0020 sat in django-otp's token table as typed; the data migration hashes them and
    deletes the plain copies, and each still signs in once."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from wholefamily.governance import mfa
    from wholefamily.governance.models import RecoveryCode

    kim = make_staff("kim", Role.KEY_WORKER)
    TOTPDevice.objects.create(user=kim, name="Authenticator app", confirmed=True)
    device = StaticDevice.objects.create(user=kim, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in ("abcdefgh", "ijklmnop")])
    migration = importlib.import_module("wholefamily.governance.migrations.0009_hash_existing_recovery_codes")
    migration.hash_existing_codes(apps, None)
    assert StaticToken.objects.count() == 0
    assert RecoveryCode.objects.filter(device=device).count() == 2
    assert not RecoveryCode.objects.filter(digest__in=["abcdefgh", "ijklmnop"]).exists()
    assert isinstance(mfa.verify(user=kim, code="ijklmnop"), StaticDevice)
    assert mfa.recovery_codes_left(kim) == 1
