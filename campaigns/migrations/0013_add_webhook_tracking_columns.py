"""Step 013: per-recipient engagement columns (frozen again by step 026) and unsubscribes.source."""

from django.db import migrations, models

from campaigns.models import UnsubscribeSource


def timestamp():
    return models.DateTimeField(blank=True, editable=False, null=True)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0012_create_unsubscribes")]

    operations = [
        migrations.AddField(model_name="campaignrecipient", name="delivered_at", field=timestamp()),
        migrations.AddField(model_name="campaignrecipient", name="opened_at", field=timestamp()),
        migrations.AddField(model_name="campaignrecipient", name="clicked_at", field=timestamp()),
        migrations.AddField(model_name="campaignrecipient", name="bounced_at", field=timestamp()),
        migrations.AddField(
            model_name="campaignrecipient", name="open_count", field=models.IntegerField(default=0, editable=False)
        ),
        migrations.AddField(
            model_name="campaignrecipient", name="click_count", field=models.IntegerField(default=0, editable=False)
        ),
        migrations.AddField(
            model_name="unsubscribe",
            name="source",
            field=models.CharField(choices=UnsubscribeSource.choices, default="manual", max_length=50),
        ),
    ]
