"""The start index also holds caller, talk time, status, direction and destination, so SQLite
answers the call log's filters and sorts on those over long periods from the index alone
(see Call.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0016_calls_autovacuum_after_inserts'),
        ('clients', '0003_roles_for_billing_policy'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='call',
            name='call_start_idx',
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['-start', 'caller', 'talk_seconds', 'status', 'direction', 'destination'], name='call_start_idx'),
        ),
    ]
