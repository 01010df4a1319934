"""Record the profiles a search offered when it matched several."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lookup', '0002_customer_care_agents_group'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditrecord',
            name='candidate_profile_ids',
            field=models.TextField(blank=True, verbose_name='candidate profile IDs'),
        ),
    ]
