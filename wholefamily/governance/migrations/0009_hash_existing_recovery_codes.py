"""Existing recovery codes, kept as typed in django-otp's token table, become salted digests (ADR 0020).

Each person keeps the codes they wrote down; the plain copies are deleted. There is no way back: the reverse
leaves the digests (the codes cannot be recovered from them)."""

from django.db import migrations

from wholefamily.domain.recovery_codes import digest, new_salt


def hash_existing_codes(apps, schema_editor):  # type: ignore[no-untyped-def]
    StaticToken = apps.get_model("otp_static", "StaticToken")
    RecoveryCode = apps.get_model("governance", "RecoveryCode")
    hashed = []
    for token in StaticToken.objects.all().iterator():
        salt = new_salt()
        hashed.append(RecoveryCode(device_id=token.device_id, salt=salt, digest=digest(token.token, salt=salt)))
    RecoveryCode.objects.bulk_create(hashed, batch_size=500)
    StaticToken.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0008_recovery_codes_hashed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_existing_codes, migrations.RunPython.noop)]
