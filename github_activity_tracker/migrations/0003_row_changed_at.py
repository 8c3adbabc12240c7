"""A "row changed at" stamp (ours, not GitHub's) on the rows search documents are built from.

Existing rows get the migration's time, so the first search sync indexes all of them.
"""

import django.utils.timezone
from django.db import migrations, models

MODELS = ("repository", "issue", "pullrequest", "comment", "review", "reviewcomment")


class Migration(migrations.Migration):
    dependencies = [
        ("github_activity_tracker", "0002_drop_indexes_covered_by_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name=name,
            name="row_changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        )
        for name in MODELS
    ]
