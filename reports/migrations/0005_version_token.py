# The lägesrapport's version token (events.conflicts): a counter, not the moment it was compiled.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_clean_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="revision",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
