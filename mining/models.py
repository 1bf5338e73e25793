"""Mining jobs, their discovery results (events, not contacts) and their step log."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q

from liffy.fields import created_at_field, uuid7_primary_key
from liffy.search import Words
from liffy.tenancy import OrganizerManager, OrganizerOwnedModel


class MiningJob(OrganizerOwnedModel):
    class Type(models.TextChoices):
        URL = "url"
        PDF = "pdf"
        EXCEL = "excel"
        WORD = "word"
        CSV = "csv"
        OTHER = "other"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class ImportStatus(models.TextChoices):
        PROCESSING = "processing"
        COMPLETED = "completed"
        FAILED = "failed"

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    input = models.TextField(help_text="URL or uploaded file name.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    total_found = models.IntegerField(default=0)
    total_prospects_created = models.IntegerField(default=0)
    total_emails_raw = models.IntegerField(default=0)
    stats = models.JSONField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    created_at = created_at_field()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    name = models.CharField(max_length=255, null=True, blank=True)
    strategy = models.CharField(max_length=50, null=True, blank=True)
    site_profile = models.TextField(null=True, blank=True)
    file_data = models.BinaryField(null=True, blank=True)
    progress = models.IntegerField(default=0)
    manual_required = models.BooleanField(default=False)
    manual_reason = models.TextField(null=True, blank=True)
    import_status = models.CharField(max_length=20, choices=ImportStatus.choices, null=True, blank=True)
    import_progress = models.JSONField(null=True, blank=True)
    config = models.JSONField(default=dict, blank=True, help_text="Job options: max_pages, delays, …")

    objects = OrganizerManager()

    class Meta:
        db_table = "mining_jobs"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name or self.input


# the columns of a result the API's `?search=` looks in, word by word
SEARCHED = ("contact_name", "company_name", "website", "source_url")


class MiningResult(OrganizerOwnedModel):
    """A discovery event of one job: written whether or not the person already exists."""

    id = uuid7_primary_key()
    job = models.ForeignKey(MiningJob, on_delete=models.CASCADE, related_name="results", db_index=False)
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    source_url = models.TextField()
    company_name = models.TextField(null=True, blank=True)
    contact_name = models.TextField(null=True, blank=True)
    job_title = models.TextField(null=True, blank=True)
    phone = models.TextField(null=True, blank=True)
    country = models.TextField(null=True, blank=True)
    website = models.TextField(null=True, blank=True)
    city = models.TextField(null=True, blank=True)
    address = models.TextField(null=True, blank=True)
    emails = ArrayField(models.TextField(), null=True, blank=True)
    raw = models.JSONField(null=True, blank=True)
    confidence_score = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    verification_status = models.TextField(null=True, blank=True)
    status = models.TextField(null=True, blank=True, default="new")
    created_at = created_at_field()
    updated_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "mining_results"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["job", "created_at"], name="mining_results_job_created_idx"),
            # the API's list, newest first (also its cursors), and its word search
            models.Index("organizer", F("created_at").desc(), F("id").desc(), name="mining_results_org_recent_idx"),
            GinIndex(Words(*SEARCHED), name="mining_results_words_idx"),
        ]

    def __str__(self):
        return ", ".join(self.emails or []) or self.source_url


class LogLevel(models.TextChoices):
    DEBUG = "debug"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"
    SUCCESS = "success"


class MiningJobLog(models.Model):
    id = uuid7_primary_key()
    job = models.ForeignKey(MiningJob, on_delete=models.CASCADE, related_name="logs", db_index=False)
    timestamp = created_at_field(editable=True)
    level = models.TextField(choices=LogLevel.choices, default=LogLevel.INFO)
    message = models.TextField()
    details = models.JSONField(null=True, blank=True)
    created_at = created_at_field()

    class Meta:
        db_table = "mining_job_logs"
        ordering = ["timestamp"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=LogLevel.values), name="mining_job_logs_level_check")
        ]
        indexes = [models.Index(fields=["job", "timestamp"], name="mining_job_logs_job_time_idx")]

    def __str__(self):
        return f"[{self.level}] {self.message[:60]}"
