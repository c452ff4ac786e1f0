"""Rejected lines keep their first 4,096 characters, with the whole line's length and SHA-256
(issue 21, 2.6): lines stored whole before are measured, hashed and cut here."""

import hashlib

from django.db import migrations, models

KEPT = 4096  # calls.limits.REJECTED_RAW_KEPT_CHARS when this was written


def measure_and_cut(apps, schema_editor):
    RejectedLine = apps.get_model("calls", "RejectedLine")
    batch = []
    for line in RejectedLine.objects.only("pk", "raw").iterator(chunk_size=200):
        line.raw_length = len(line.raw)
        line.raw_sha256 = hashlib.sha256(line.raw.encode("utf-8", "replace")).hexdigest()
        line.raw = line.raw[:KEPT]
        batch.append(line)
        if len(batch) >= 200:
            RejectedLine.objects.bulk_update(batch, ["raw", "raw_length", "raw_sha256"])
            batch = []
    RejectedLine.objects.bulk_update(batch, ["raw", "raw_length", "raw_sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0028_rejection_reason_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="rejectedline",
            name="raw_length",
            field=models.PositiveBigIntegerField(
                default=0,
                help_text="Characters in the whole line as read.",
                verbose_name="line length",
            ),
        ),
        migrations.AddField(
            model_name="rejectedline",
            name="raw_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 of the line"),
        ),
        migrations.RunPython(measure_and_cut, migrations.RunPython.noop, elidable=True),
    ]
