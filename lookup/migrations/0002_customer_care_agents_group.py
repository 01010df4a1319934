"""Create the group "Customer care agents", which holds the lookup permission.

Administrators grant access by adding a user to this group in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Customer care agents"


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run, so the
    # lookup permission is created here to be attached to the group.
    app_config = apps.get_app_config("lookup")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="lookup", codename="look_up_customers")
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lookup", "0001_audit_record"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
