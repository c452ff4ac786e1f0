"""The call log at 10,000,000 calls (#24): the billing-code index holds the coded calls only
(partial), beside it the coded calls by time and the unknown-code calls by time (partial);
one extension's calls by time and every call by talk time. Partial indexes on both
databases (SQLite uses one when the query repeats its condition: calls.models.CODED_Q).
bench/README.md, "Toward 10,000,000 calls", has the figures."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0026_watchedfile'),
        ('clients', '0008_issued_statement_claim'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='call',
            name='call_billing_code_start_idx',
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('billing_code__gte', '0'), ('billing_code__lte', '9999999999')), fields=['billing_code', 'start', 'direction', 'status', 'talk_seconds', 'client'], name='call_code_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('billing_code__gte', '0'), ('billing_code__lte', '9999999999')), fields=['-start', 'direction', 'status', 'talk_seconds', 'client', 'billing_code'], name='call_coded_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('billing_code__gte', '0'), ('billing_code__lte', '9999999999'), ('client__isnull', True)), fields=['-start', 'direction', 'status', 'talk_seconds', 'billing_code', 'client'], name='call_unknown_code_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['caller', '-start', 'status', 'talk_seconds'], name='call_caller_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['talk_seconds', 'start', 'status'], name='call_talk_start_idx'),
        ),
    ]
