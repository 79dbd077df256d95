from django.db import migrations


def create_sources(apps, schema_editor):
    SyncSource = apps.get_model("integrations", "SyncSource")
    for code in ("thingsboard", "shop"):
        SyncSource.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]

    operations = [migrations.RunPython(create_sources, migrations.RunPython.noop)]
