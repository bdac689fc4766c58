# Recoveries remembered in fields (jobs/recovery.py), no longer as a prefix of provider_text.

from django.db import migrations, models


def _from_the_old_prefix(apps, schema_editor):
    """Jobs re-uploaded before this migration said so with a "re-uploaded" provider_text."""
    Job = apps.get_model("jobs", "Job")
    Job.objects.filter(provider_text__startswith="re-uploaded").update(uploads_redone=True)


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0002_prompt_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='elements_recreated',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='job',
            name='uploads_redone',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='job',
            name='create_resent',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='job',
            name='create_lookups',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='job',
            name='stalls',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(_from_the_old_prefix, migrations.RunPython.noop),
    ]
