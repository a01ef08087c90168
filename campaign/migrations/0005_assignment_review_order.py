from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0004_activity_activity_list_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["state", "submitted_at", "id"], name="assignment_review_order"
            ),
        ),
    ]
