from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from liffy.admin_actions import ServiceAction
from liffy.admin_base import OrganizerScopedAdmin, ReadOnlyAdmin, changelist_link, choices_filter, json_display
from liffy.errors import WHOLE_INPUT, InvalidInput
from liffy.models import Organizer
from mining import jobs
from mining.models import MiningJob, MiningJobLog, MiningResult
from persons.models import VerificationStatus

Status = MiningJob.Status
RECENT_LOG_LINES = 50
STATS, CONFIG, IMPORT_PROGRESS = json_display("stats"), json_display("config"), json_display("import_progress")
# where create_mining_job's error keys show on the add form
ERROR_FIELDS = {"url": "url", "file": "upload", "config": "config", "strategy": "strategy", "name": "name"}


class MiningJobAddForm(forms.ModelForm):
    """A new job: a URL or an uploaded CSV/XLSX file. Valid input is handed to `create_mining_job` (the
    API's service) as the form's last check, so whatever the service refuses shows on the form; the job
    it creates is queued to run once the page's transaction commits."""

    url = forms.URLField(required=False, max_length=2048, assume_scheme="https")
    upload = forms.FileField(required=False, label="CSV or XLSX file")
    config = forms.JSONField(
        required=False,
        initial=jobs.DEFAULT_CONFIG,
        help_text="max_pages, page_delay (s), timeout (s), max_bytes, follow_contact_pages",
    )

    class Meta:
        model = MiningJob
        fields = ("organizer", "name", "url", "upload", "config", "strategy")

    created_job = None

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("upload")):
            raise ValidationError("Give either a URL or a file.")
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        organizer = data.get("organizer") or Organizer.objects.get(pk=self.instance.organizer_id)
        try:
            self.created_job = jobs.create_mining_job(
                organizer,
                url=data.get("url") or None,
                file=data.get("upload"),
                name=data.get("name") or None,
                config=data.get("config") or None,
                strategy=data.get("strategy") or None,
            )
        except InvalidInput as error:
            for key, reasons in error.errors.items():
                field = ERROR_FIELDS.get(key.split(".", 1)[0])
                named = key in (field, "file", WHOLE_INPUT)  # the field's own error needs no prefix
                self.add_error(field, reasons if named else [f"{key}: {reason}" for reason in reasons])


def _outcome(job):
    """What became of the job, in words."""
    if job.status == Status.PENDING:
        return "Queued: waiting for a worker to start it."
    if job.status == Status.RUNNING:
        return f"Running: {job.progress} % done."
    if job.status == Status.COMPLETED:
        stored = (job.stats or {}).get("results_stored", job.total_found)
        return f"Completed: {job.total_found} contacts found, {stored} results stored."
    if job.status == Status.FAILED:
        return f"Failed: {job.error or 'no reason was recorded.'}"
    return "Cancelled."


@admin.register(MiningJob)
class MiningJobAdmin(OrganizerScopedAdmin):
    list_display = ("__str__", "type", "status", "total_found", "progress", "import_status", "created_at")
    list_filter = ("status", "type", "import_status", "manual_required")
    search_fields = ("name", "input")
    readonly_fields = (
        "id",
        "type",
        "input",
        "strategy",
        "status",
        "outcome",
        "results",
        "recent_logs",
        "created_at",
        "started_at",
        "completed_at",
        "total_found",
        "total_prospects_created",
        "total_emails_raw",
        "progress",
        "manual_required",
        "manual_reason",
        "import_status",
        STATS,
        CONFIG,
        IMPORT_PROGRESS,
    )
    fieldsets = (
        (None, {"fields": ("id", "organizer", "name", "type", "input", "strategy")}),
        (
            "Outcome",
            {
                "fields": (
                    "status",
                    "outcome",
                    "results",
                    "progress",
                    "total_found",
                    "total_emails_raw",
                    "total_prospects_created",
                    "manual_required",
                    "manual_reason",
                )
            },
        ),
        ("Log", {"fields": ("recent_logs",)}),
        (
            "Details",
            {"fields": (STATS, CONFIG, "import_status", IMPORT_PROGRESS, "created_at", "started_at", "completed_at")},
        ),
    )
    service_actions = (
        ServiceAction(
            "cancel",
            "Cancel",
            jobs.cancel_mining_job,
            "cancelled",
            explanation="A running job stops after the page it is reading; its results are kept.",
            offered=lambda job: job.status in (Status.PENDING, Status.RUNNING),
        ),
        ServiceAction(
            "retry",
            "Retry",
            jobs.retry_mining_job,
            "queued again",
            explanation="The job runs again; results it already stored are not stored twice.",
            offered=lambda job: job.status in (Status.FAILED, Status.CANCELLED),
        ),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MiningJobAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": MiningJobAddForm.Meta.fields}),)
        return self.fieldsets

    def save_form(self, request, form, change):
        return form.save(commit=False) if change else form.created_job

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        """Say what happened: the job is queued, not done."""
        if "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"Mining job “{obj}” was queued: it runs in the background, and this page shows its progress and outcome.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:mining_miningjob_change", args=[obj.pk]))

    @admin.display(description="outcome")
    def outcome(self, job):
        reason = f" {job.manual_reason}" if job.manual_required and job.manual_reason else ""
        return _outcome(job) + reason

    @admin.display(description="results")
    def results(self, job):
        count = MiningResult.objects.filter(organizer_id=job.organizer_id, job=job).count()
        return changelist_link(MiningResult, f"{count} results", job__id__exact=job.pk) if count else "No results."

    @admin.display(description=f"latest {RECENT_LOG_LINES} log lines")
    def recent_logs(self, job):
        lines = list(MiningJobLog.objects.filter(job=job).order_by("-timestamp")[:RECENT_LOG_LINES])
        if not lines:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((line.timestamp.strftime("%Y-%m-%d %H:%M:%S"), line.level, line.message) for line in reversed(lines)),
        )
        return format_html(
            '<table class="job-log"><tbody>{}</tbody></table><p>{}</p>',
            rows,
            changelist_link(MiningJobLog, "the whole log", job__id__exact=job.pk),
        )


@admin.register(MiningResult)
class MiningResultAdmin(ReadOnlyAdmin):
    """Discovery events of a job: written by the miners, never edited."""

    list_display = ("__str__", "contact_name", "company_name", "country", "status", "job", "created_at")
    list_filter = (choices_filter("verification_status", VerificationStatus.choices),)
    search_fields = ("^company_name",)
    search_help_text = "Start of the company name."
    readonly_fields = (json_display("raw"),)
    exclude = ("raw",)


@admin.register(MiningJobLog)
class MiningJobLogAdmin(ReadOnlyAdmin):
    organizer_lookup = "job__organizer"
    list_display = ("timestamp", "level", "message", "job")
    list_filter = ("level",)
    readonly_fields = (json_display("details"),)
    exclude = ("details",)
