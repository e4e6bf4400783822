"""Reference data: the provider role's group (a commissioned service's own staff, ADR 0027)."""

from django.db import migrations

ROLE = "provider"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0002_contracts"), ("governance", "0002_roles")]

    operations = [migrations.RunPython(create_role, remove_role)]
