"""FirmSettings moves from the calls app to firm, the shared kernel. Its table
(calls_firmsettings) and its row stay as they are: only Django's idea of the model moves
(``SeparateDatabaseAndState``; calls.0020 removes it from calls). The content type moves too,
so the model's permissions (now ``firm.change_firmsettings`` …) stay with the groups and users
that had them, and the admin's history keeps pointing at the row."""

import django.core.validators
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, old="calls", new="firm"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    moving = ContentType.objects.using(db).filter(app_label=old, model="firmsettings")
    if moving.exists():
        # One created for the new label by an earlier run of migrate has no history to keep.
        ContentType.objects.using(db).filter(app_label=new, model="firmsettings").delete()
        moving.update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="firm", new="calls")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("calls", "0019_import_run_interrupted"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FirmSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "firm_name",
                            models.CharField(
                                default="Studio",
                                help_text="Printed on reports.",
                                max_length=200,
                                verbose_name="firm name",
                            ),
                        ),
                        (
                            "billing_marker",
                            models.CharField(
                                default="**",
                                help_text=(
                                    "Dialled between the number and the client code. Use ## "
                                    "or *0 for phones that cannot dial *."
                                ),
                                max_length=4,
                                verbose_name="billing marker",
                            ),
                        ),
                        (
                            "internal_extension_lengths",
                            models.CharField(
                                default="3",
                                help_text="How many digits an internal extension has, e.g. 3 or 3,4.",
                                max_length=20,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^\\s*[1-9](\\s*,\\s*[1-9])*\\s*$",
                                        "List lengths as digits separated by commas, e.g. 3,4.",
                                    )
                                ],
                                verbose_name="internal extension lengths",
                            ),
                        ),
                        (
                            "country_code",
                            models.CharField(
                                default="39",
                                help_text="Numbers typed as +39… are dialled as national numbers.",
                                max_length=4,
                                validators=[django.core.validators.RegexValidator("^[0-9]{1,4}$")],
                                verbose_name="country code",
                            ),
                        ),
                        (
                            "international_prefix",
                            models.CharField(
                                default="00",
                                help_text="Replaces + in foreign numbers, e.g. +44… is dialled 0044…",
                                max_length=4,
                                validators=[django.core.validators.RegexValidator("^[0-9]{1,4}$")],
                                verbose_name="international prefix",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "firm settings",
                        "verbose_name_plural": "firm settings",
                        "db_table": "calls_firmsettings",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("pk", 1)), name="firmsettings_single_row"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
