"""The call log at 10,000,000 calls: the billing-code index holds the coded calls only
(partial), beside it the coded calls by time and the unknown-code calls by time (partial);
one extension's calls by time and every call by talk time. Each holds the calls alone
(leg_of empty, as every query through Call.objects asks: calls.models.CALL_Q); the coded ones
and call_start_idx have leg_of as a column too, so that SQLite reads them as covering. Every
index holds start ascending, and the caller and talk-time ones have start as their last key
(status and talk time INCLUDEd on PostgreSQL): the importer adds ever later calls, and
PostgreSQL keeps an index it appends to full, one it inserts into elsewhere half empty.
Partial indexes on both databases (SQLite uses one when the query repeats its condition).
The client index holds the calls with a client only. bench/README.md, "Toward 10,000,000
calls", has the figures."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0029_rejected_line_length'),
        ('clients', '0009_fiscal_identity_and_avviso'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='call',
            name='call_billing_code_start_idx',
        ),
        migrations.RemoveIndex(
            model_name='call',
            name='call_start_idx',
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['start', 'caller', 'talk_seconds', 'status', 'direction', 'destination', 'leg_of'], name='call_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('billing_code__gte', '0'), ('billing_code__lte', '9999999999'), ('leg_of__isnull', True)), fields=['billing_code', 'start', 'direction', 'status', 'talk_seconds', 'client', 'leg_of'], name='call_code_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('billing_code__gte', '0'), ('billing_code__lte', '9999999999'), ('leg_of__isnull', True)), fields=['start', 'direction', 'status', 'talk_seconds', 'client', 'billing_code', 'leg_of'], name='call_coded_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('billing_code__gte', '0'), ('billing_code__lte', '9999999999'), ('leg_of__isnull', True), ('client__isnull', True)), fields=['start', 'direction', 'status', 'talk_seconds', 'billing_code', 'client', 'leg_of'], name='call_unknown_code_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('leg_of__isnull', True)), fields=['caller', 'start'], include=('status', 'talk_seconds'), name='call_caller_start_idx'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('leg_of__isnull', True)), fields=['talk_seconds', 'start'], include=('status',), name='call_talk_start_idx'),
        ),
        migrations.RemoveIndex(
            model_name='call',
            name='call_client_start_idx',
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(condition=models.Q(('client__isnull', False)), fields=['client', 'start'], name='call_client_start_idx'),
        ),
    ]
