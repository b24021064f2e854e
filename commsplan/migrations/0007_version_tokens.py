# Version tokens (events.conflicts): one counter for the plan and for a press text; a plan keeps
# the answers each save replaced (PlanVersion).

import django.db.models.deletion
from django.db import migrations, models

import accounts.text


class Migration(migrations.Migration):
    dependencies = [
        ("commsplan", "0006_clean_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="commsplan",
            name="version",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="presstext",
            name="revision",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="PlanVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "problem",
                    accounts.text.CleanTextField(blank=True, verbose_name="Vad är problemet?"),
                ),
                (
                    "purpose",
                    accounts.text.CleanTextField(
                        blank=True, verbose_name="Vad är syftet och målet?"
                    ),
                ),
                (
                    "strategy",
                    accounts.text.CleanTextField(
                        blank=True, verbose_name="Hur ser strategin/kommunikationsmålen ut?"
                    ),
                ),
                (
                    "audience_internal",
                    accounts.text.CleanTextField(
                        blank=True, verbose_name="Vem är målgruppen? Interna målgrupper"
                    ),
                ),
                (
                    "audience_external",
                    accounts.text.CleanTextField(
                        blank=True, verbose_name="Vem är målgruppen? Externa målgrupper"
                    ),
                ),
                (
                    "message",
                    accounts.text.CleanTextField(blank=True, verbose_name="Vad ska jag säga?"),
                ),
                (
                    "channels",
                    accounts.text.CleanTextField(
                        blank=True, verbose_name="Vilka kanaler ska jag använda?"
                    ),
                ),
                (
                    "speakers",
                    accounts.text.CleanTextField(blank=True, verbose_name="Vem ska säga det?"),
                ),
                (
                    "timing",
                    accounts.text.CleanTextField(blank=True, verbose_name="När ska jag säga det?"),
                ),
                ("cost", accounts.text.CleanTextField(blank=True, verbose_name="Vad kostar det?")),
                ("version", models.PositiveIntegerField()),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="commsplan.commsplan",
                    ),
                ),
            ],
            options={
                "verbose_name": "kommunikationsplanens tidigare svar",
                "verbose_name_plural": "kommunikationsplanens tidigare svar",
                "constraints": [
                    models.UniqueConstraint(fields=("plan", "version"), name="plan_version_once")
                ],
            },
        ),
    ]
