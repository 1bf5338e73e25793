"""Step 023: campaigns.verification_mode (exclude_invalid by default)."""

from django.db import migrations, models

from campaigns.models import VerificationMode


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0018_create_campaign_events"), ("legacy", "0022_add_import_progress_columns")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="verification_mode",
            field=models.CharField(choices=VerificationMode.choices, default="exclude_invalid", max_length=20),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(verification_mode__in=["exclude_invalid", "verified_only"]),
                name="campaigns_verification_mode_check",
            ),
        ),
    ]
