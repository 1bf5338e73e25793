"""Templates, senders, campaigns, their recipients, the immutable engagement log and unsubscribes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from liffy.fields import created_at_field, uuid7_primary_key
from liffy.header_values import refuse_control_characters
from liffy.tenancy import OrganizerManager, OrganizerOwnedModel


class EmailTemplate(OrganizerOwnedModel):
    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, validators=[refuse_control_characters])
    body_html = models.TextField()
    body_text = models.TextField(null=True, blank=True)
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "email_templates"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SenderIdentity(OrganizerOwnedModel):
    """A verified From address. Deleting one deactivates it (`is_active=false`)."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=100, null=True, blank=True)
    from_name = models.CharField(max_length=255, validators=[refuse_control_characters])
    from_email = models.CharField(max_length=255, validators=[refuse_control_characters])
    reply_to = models.CharField(max_length=255, null=True, blank=True, validators=[refuse_control_characters])
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "sender_identities"
        ordering = ["from_email"]
        verbose_name_plural = "sender identities"

    def __str__(self):
        return f"{self.from_name} <{self.from_email}>"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft"
    READY = "ready"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class VerificationMode(models.TextChoices):
    EXCLUDE_INVALID = "exclude_invalid"
    VERIFIED_ONLY = "verified_only"


class Campaign(OrganizerOwnedModel):
    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=50, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    created_at = created_at_field()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    list = models.ForeignKey("legacy.List", on_delete=models.SET_NULL, null=True, blank=True, related_name="campaigns")
    sender = models.ForeignKey(
        SenderIdentity, on_delete=models.SET_NULL, null=True, blank=True, related_name="campaigns"
    )
    include_risky = models.BooleanField(default=False)
    recipient_count = models.IntegerField(default=0, null=True)
    verification_mode = models.CharField(
        max_length=20, choices=VerificationMode.choices, default=VerificationMode.EXCLUDE_INVALID
    )

    objects = OrganizerManager()

    class Meta:
        db_table = "campaigns"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verification_mode__in=VerificationMode.values), name="campaigns_verification_mode_check"
            ),
        ]

    def __str__(self):
        return self.name


class RecipientStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    BOUNCED = "bounced"
    DROPPED = "dropped"
    FAILED = "failed"
    SKIPPED = "skipped"


# Historical engagement columns, frozen by step 026: engagement now lives in campaign_events.
FROZEN_RECIPIENT_COLUMNS = ("delivered_at", "opened_at", "clicked_at", "bounced_at", "open_count", "click_count")


class CampaignRecipient(OrganizerOwnedModel):
    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients", db_index=False)
    email = models.CharField(max_length=320)
    name = models.CharField(max_length=255, null=True, blank=True)
    meta = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RecipientStatus.choices, default=RecipientStatus.PENDING)
    last_error = models.TextField(null=True, blank=True)
    created_at = created_at_field()
    sent_at = models.DateTimeField(null=True, blank=True)
    prospect_id_legacy = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    clicked_at = models.DateTimeField(null=True, blank=True, editable=False)
    bounced_at = models.DateTimeField(null=True, blank=True, editable=False)
    open_count = models.IntegerField(default=0, editable=False)
    click_count = models.IntegerField(default=0, editable=False)
    person = models.ForeignKey(
        "persons.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="campaign_recipients"
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a send worker claimed the row (status sending)."
    )

    objects = OrganizerManager()

    class Meta:
        db_table = "campaign_recipients"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint("campaign", Lower("email"), name="campaign_recipients_campaign_email_uniq"),
        ]
        indexes = [
            models.Index(Lower("email"), name="campaign_recipients_email_idx"),
            models.Index(F("sent_at").desc(nulls_last=True), name="campaign_recipients_sent_idx"),
            models.Index(
                fields=["campaign", "created_at"], condition=Q(status="pending"), name="campaign_recip_pending_idx"
            ),
            # the claims a dead send worker left behind (return_stale_claims): only rows being sent
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="campaign_recip_claimed_idx"),
            # a campaign's recipients in the API's order (also its cursors)
            models.Index(fields=["campaign", "created_at", "id"], name="campaign_recip_order_idx"),
        ]

    def __str__(self):
        return self.email


class SendThrottle(models.Model):
    """The next free send slot of an organizer: every worker reserves its slots here, so the
    organizer's rate limit holds however many workers send at once."""

    organizer = models.OneToOneField("liffy.Organizer", on_delete=models.CASCADE, primary_key=True, related_name="+")
    next_slot_at = models.DateTimeField()

    class Meta:
        db_table = "send_throttles"

    def __str__(self):
        return f"{self.organizer_id}: next slot at {self.next_slot_at}"


class EventType(models.TextChoices):
    SENT = "sent"
    DELIVERED = "delivered"
    OPEN = "open"
    CLICK = "click"
    REPLY = "reply"
    BOUNCE = "bounce"
    DROPPED = "dropped"
    DEFERRED = "deferred"
    SPAM_REPORT = "spam_report"
    UNSUBSCRIBE = "unsubscribe"


class CampaignEvent(OrganizerOwnedModel):
    """Immutable engagement log. The database rejects updates (only detaching a deleted person or recipient)."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events", db_index=False)
    recipient = models.ForeignKey(
        CampaignRecipient, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", db_index=False
    )
    person = models.ForeignKey(
        "persons.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_events",
        db_index=False,
    )
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    email = models.CharField(max_length=320)
    url = models.TextField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    ip_address = models.CharField(max_length=45, null=True, blank=True)
    reason = models.TextField(null=True, blank=True)
    provider_event_id = models.TextField(null=True, blank=True)
    provider_response = models.JSONField(null=True, blank=True)
    occurred_at = created_at_field(editable=True)
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "campaign_events"
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(condition=Q(event_type__in=EventType.values), name="campaign_events_type_check"),
            models.UniqueConstraint(
                "campaign",
                "event_type",
                Lower("email"),
                "provider_event_id",
                condition=Q(provider_event_id__isnull=False),
                name="campaign_events_provider_uniq",
            ),
        ]
        indexes = [
            models.Index("campaign", F("occurred_at").desc(), name="campaign_events_campaign_idx"),
            models.Index("recipient", F("occurred_at").desc(), name="campaign_events_recipient_idx"),
            models.Index("person", F("occurred_at").desc(), name="campaign_events_person_idx"),
            models.Index("organizer", "event_type", F("occurred_at").desc(), name="campaign_events_org_type_idx"),
            models.Index("organizer", Lower("email"), name="campaign_events_org_email_idx"),
            models.Index(fields=["organizer", "campaign", "event_type"], name="campaign_events_org_camp_idx"),
            models.Index(fields=["organizer", "person"], name="campaign_events_org_person_idx"),
            # the API's event log, newest first (also its cursors)
            models.Index(
                fields=["organizer", "occurred_at", "created_at", "id"], name="campaign_events_org_recent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} · {self.email}"


class UnsubscribeSource(models.TextChoices):
    MANUAL = "manual"
    USER_REQUEST = "user_request"
    SPAM_REPORT = "spam_report"
    SENDGRID_UNSUBSCRIBE = "sendgrid_unsubscribe"
    HARD_BOUNCE = "hard_bounce"


class Unsubscribe(OrganizerOwnedModel):
    """An address the organizer must never mail again. Stored lower-cased."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+", db_index=False)
    email = models.CharField(max_length=320)
    reason = models.CharField(max_length=100, null=True, blank=True)
    source = models.CharField(max_length=50, choices=UnsubscribeSource.choices, default=UnsubscribeSource.MANUAL)
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "unsubscribes"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint("organizer", Lower("email"), name="unsubscribes_organizer_email_uniq")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
