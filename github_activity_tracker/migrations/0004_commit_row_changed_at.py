"""A "row changed at" stamp (ours, not GitHub's) on commits.

People's matcher re-reads the authors of commits stored or relinked to an account
since its last run, so their repository evidence follows new activity. Existing rows
get the migration's time, so the next people run reads every author's repositories.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("github_activity_tracker", "0003_row_changed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="commit",
            name="row_changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
    ]
