"""The billing-code index also holds direction, status, talk time and client, so the totals
of a billing-code pattern, "with code" and "unknown code" over long periods read the index
alone (calls.filters.CallLogFilter.total_parts). Key columns rather than INCLUDE, so SQLite
gets the covering index too."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0012_uncoded_marked_index'),
        ('clients', '0003_roles_for_billing_policy'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='call',
            name='call_billing_code_start_idx',
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['billing_code', 'start', 'direction', 'status', 'talk_seconds', 'client'], name='call_billing_code_start_idx'),
        ),
    ]
