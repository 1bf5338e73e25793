"""Identity (Person), contextual role (Affiliation) and intent layers, plus verification and CRM logs."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models.functions import Cast, Coalesce, Lower, Upper
from django.db.models.lookups import IsNull

from liffy.fields import created_at_field, uuid7_primary_key
from liffy.search import Words
from liffy.header_values import refuse_control_characters
from liffy.tenancy import OrganizerManager, OrganizerOwnedModel

ZERO_TO_ONE = Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1)


class VerificationStatus(models.TextChoices):
    UNKNOWN = "unknown"
    VALID = "valid"
    INVALID = "invalid"
    CATCHALL = "catchall"
    RISKY = "risky"


class Person(OrganizerOwnedModel):
    """One real individual per organizer, keyed by (organizer, lower(email)). The email never changes."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey(
        "liffy.Organizer",
        on_delete=models.CASCADE,
        related_name="persons",
        db_index=False,  # the unique index leads with it
    )
    email = models.CharField(max_length=320)
    # The recipient's name of every message sent to the person (the To header), so no control characters.
    first_name = models.CharField(max_length=255, null=True, blank=True, validators=[refuse_control_characters])
    last_name = models.CharField(max_length=255, null=True, blank=True, validators=[refuse_control_characters])
    created_at = created_at_field()
    updated_at = created_at_field()
    verification_status = models.CharField(
        max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.UNKNOWN, null=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizerManager()

    class Meta:
        db_table = "persons"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("organizer", Lower("email"), name="persons_organizer_email_uniq"),
        ]
        indexes = [
            models.Index(Lower("email"), name="persons_email_lower_idx"),
            # the admin's person search, word by word: upper(<column>::text) LIKE upper('<word>%')
            *(
                models.Index(
                    OpClass(Upper(Cast(column, models.TextField())), name="text_pattern_ops"),
                    name=f"persons_{column}_prefix_idx",
                )
                for column in ("email", "first_name", "last_name")
            ),
            # the API's list, newest first (also its cursors), and its search by name words
            models.Index("organizer", F("created_at").desc(), F("id").desc(), name="persons_org_recent_idx"),
            GinIndex(Words("first_name", "last_name"), name="persons_name_words_idx"),
        ]

    def __str__(self):
        return self.email

    @property
    def full_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None


class Affiliation(OrganizerOwnedModel):
    """A person's relationship to a company: additive, enriched but never overwritten."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations", db_index=False)
    company_name = models.CharField(max_length=255, null=True, blank=True)
    position = models.CharField(max_length=255, null=True, blank=True)
    country_code = models.CharField(max_length=2, null=True, blank=True)
    city = models.CharField(max_length=255, null=True, blank=True)
    website = models.CharField(max_length=2048, null=True, blank=True)
    phone = models.CharField(max_length=100, null=True, blank=True)
    source_type = models.CharField(max_length=20, null=True, blank=True)
    source_ref = models.TextField(null=True, blank=True)
    mining_job = models.ForeignKey(
        "mining.MiningJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="affiliations"
    )
    confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    raw = models.JSONField(null=True, blank=True)
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "affiliations"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organizer",
                "person",
                Lower("company_name"),
                condition=Q(company_name__isnull=False),
                name="affiliations_person_company_uniq",
            ),
            models.CheckConstraint(condition=ZERO_TO_ONE, name="affiliations_confidence_check"),
        ]
        indexes = [
            models.Index(
                "organizer",
                Lower("company_name"),
                condition=Q(company_name__isnull=False),
                name="affiliations_org_company_idx",
            ),
            # a person's affiliations, the latest first (newest with a company, else newest): what resolve reads
            models.Index(
                F("person"),
                IsNull(F("company_name"), True),
                F("created_at").desc(),
                F("id").desc(),
                name="affiliations_person_latest_idx",
            ),
            # the admin's company search: upper(company_name::text) LIKE upper('<word>%')
            models.Index(
                OpClass(Upper(Cast("company_name", models.TextField())), name="text_pattern_ops"),
                name="affiliation_company_prefix_idx",
            ),
            # the API's person search by company words
            GinIndex(Words("company_name"), name="affiliations_company_words_idx"),
        ]

    def __str__(self):
        """'Sales Director at Expo Praha', or whichever of the two is known."""
        if self.position and self.company_name:
            return f"{self.position} at {self.company_name}"
        return self.company_name or self.position or "Affiliation without company"


class IntentType(models.TextChoices):
    REPLY = "reply"
    FORM_SUBMISSION = "form_submission"
    MANUAL_QUALIFICATION = "manual_qualification"
    MEETING_BOOKED = "meeting_booked"
    INBOUND_REQUEST = "inbound_request"
    CLICK_THROUGH = "click_through"
    REFERRAL = "referral"


class IntentSource(models.TextChoices):
    WEBHOOK = "webhook"
    MANUAL = "manual"
    API = "api"
    AUTOMATION = "automation"


def keep_intents_without_campaign(collector, field, sub_objs, using):
    """`on_delete` of ProspectIntent.campaign: intents outlive their campaign, with campaign_id NULL.

    The person still showed that intent. Where detaching would collide with the dedup index (the
    person already has the same intent type without a campaign, or several deleted campaigns carry
    it), the earliest intent is kept and the others are deleted.
    """
    intents = sorted(sub_objs, key=lambda intent: (intent.occurred_at, str(intent.pk)))
    taken = set(
        ProspectIntent.objects.using(using)
        .filter(campaign__isnull=True, person_id__in={intent.person_id for intent in intents})
        .values_list("organizer_id", "person_id", "intent_type")
    )
    keep, drop = [], []
    for intent in intents:
        key = (intent.organizer_id, intent.person_id, intent.intent_type)
        (drop if key in taken else keep).append(intent)
        taken.add(key)
    if keep:
        collector.add_field_update(field, None, keep)
    if drop:
        collector.collect(drop, source=field.remote_field.model, source_attr=field.name, nullable=True)


class ProspectIntent(OrganizerOwnedModel):
    """A person who showed intent, at most once per (person, campaign or none, type)."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="intents")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=keep_intents_without_campaign, null=True, blank=True, related_name="intents"
    )
    intent_type = models.CharField(max_length=30, choices=IntentType.choices)
    source = models.CharField(max_length=30, choices=IntentSource.choices, default=IntentSource.MANUAL)
    notes = models.TextField(null=True, blank=True)
    confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    meta = models.JSONField(null=True, blank=True)
    occurred_at = created_at_field(editable=True)
    created_at = created_at_field()
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrganizerManager()

    class Meta:
        db_table = "prospect_intents"
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(condition=Q(intent_type__in=IntentType.values), name="prospect_intents_type_check"),
            models.CheckConstraint(condition=Q(source__in=IntentSource.values), name="prospect_intents_source_check"),
            models.CheckConstraint(condition=ZERO_TO_ONE, name="prospect_intents_confidence_check"),
            models.UniqueConstraint(
                "organizer",
                "person",
                Coalesce(Cast("campaign", models.TextField()), models.Value("")),
                "intent_type",
                name="prospect_intents_dedup_uniq",
            ),
        ]

    def __str__(self):
        return f"{self.intent_type} · {self.person_id}"


class QueueStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class VerificationQueue(OrganizerOwnedModel):
    """An email waiting for (or done with) ZeroBounce verification; one open row per organizer + email."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=320)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    prospect_id_legacy = models.UUIDField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=QueueStatus.choices, default=QueueStatus.PENDING)
    result = models.JSONField(null=True, blank=True)
    created_at = created_at_field()
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizerManager()

    class Meta:
        db_table = "verification_queue"
        ordering = ["created_at"]
        verbose_name = "verification queue row"
        constraints = [
            models.UniqueConstraint(
                "organizer",
                Lower("email"),
                condition=Q(status__in=["pending", "processing"]),
                name="verification_queue_open_email_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organizer", "status", "created_at"],
                condition=Q(status="pending"),
                name="verification_queue_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.status})"


class ZohoModule(models.TextChoices):
    LEADS = "Leads"
    CONTACTS = "Contacts"


class ZohoPushLog(OrganizerOwnedModel):
    """One row per record pushed to Zoho CRM, success or failure."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"

    class Status(models.TextChoices):
        SUCCESS = "success"
        FAILED = "failed"

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="zoho_pushes")
    zoho_module = models.CharField(max_length=20, choices=ZohoModule.choices)
    zoho_record_id = models.CharField(max_length=50, null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUCCESS)
    error_message = models.TextField(null=True, blank=True)
    field_snapshot = models.JSONField(null=True, blank=True)
    pushed_at = created_at_field(editable=True)
    pushed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrganizerManager()

    class Meta:
        db_table = "zoho_push_log"
        ordering = ["-pushed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(zoho_module__in=ZohoModule.values), name="zoho_push_log_module_check"),
            models.CheckConstraint(condition=Q(action__in=["create", "update"]), name="zoho_push_log_action_check"),
            models.CheckConstraint(condition=Q(status__in=["success", "failed"]), name="zoho_push_log_status_check"),
        ]
        indexes = [
            models.Index(fields=["organizer", "person", "zoho_module"], name="zoho_push_log_person_idx"),
            models.Index(
                "organizer",
                "person",
                "zoho_module",
                models.F("pushed_at").desc(),
                condition=Q(status="success"),
                name="zoho_push_log_success_idx",
            ),
            models.Index("organizer", models.F("pushed_at").desc(), name="zoho_push_log_recent_idx"),
        ]

    def __str__(self):
        return f"{self.zoho_module} {self.action} · {self.person_id}"
