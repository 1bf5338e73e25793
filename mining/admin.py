from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from liffy.admin import ReadOnlyAdmin, json_display
from liffy.exceptions import Conflict
from liffy.models import Organizer
from mining import jobs
from mining.models import MiningJob, MiningJobLog, MiningResult


class MiningJobAddForm(forms.ModelForm):
    """A new job: a URL or an uploaded CSV/XLSX file, created and queued through the mining service."""

    organizer = forms.ModelChoiceField(Organizer.objects.all())
    url = forms.URLField(required=False, max_length=2048, assume_scheme="https")
    upload = forms.FileField(required=False, label="CSV or XLSX file")
    config = forms.JSONField(required=False, initial=jobs.DEFAULT_CONFIG,
                             help_text="max_pages, page_delay (s), timeout (s), max_bytes, follow_contact_pages")

    class Meta:
        model = MiningJob
        fields = ("organizer", "name", "url", "upload", "config", "strategy")

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("upload")):
            raise ValidationError("Give either a URL or a file.")
        try:
            if data.get("url"):
                jobs.validate_url(data["url"])
        except ValidationError as error:
            self.add_error("url", error.messages)
        try:
            if data.get("upload"):
                jobs.read_upload(data["upload"])
        except ValidationError as error:
            self.add_error("upload", error.messages)
        try:
            data["config"] = jobs.validate_config(data.get("config") or None)
        except ValidationError as error:
            self.add_error("config", [f"{field}: {message}" for field, msgs in error.message_dict.items()
                                      for message in msgs])
        return data


class MiningJobLogInline(admin.TabularInline):
    model = MiningJobLog
    fields = ("timestamp", "level", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("timestamp",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MiningJob)
class MiningJobAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organizer", "type", "status", "total_found", "progress", "import_status", "created_at")
    list_filter = ("organizer", "status", "type", "import_status", "manual_required")
    list_select_related = ("organizer",)
    search_fields = ("name", "input", "error")
    readonly_fields = ("id", "created_at", "started_at", "completed_at", "total_found", "total_prospects_created",
                       "total_emails_raw", "progress", "error", json_display("stats"), json_display("config"),
                       json_display("import_progress"))
    exclude = ("stats", "config", "import_progress", "file_data")
    date_hierarchy = "created_at"
    inlines = (MiningJobLogInline,)
    actions = ("cancel_jobs", "retry_jobs")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = MiningJobAddForm
            kwargs["fields"] = MiningJobAddForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": MiningJobAddForm.Meta.fields}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = jobs.create_mining_job(data["organizer"], url=data.get("url") or None, file=data.get("upload"),
                                         name=data.get("name") or None, config=data["config"],
                                         strategy=data.get("strategy") or None)
        obj.pk, obj._state.adding = created.pk, False
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    @admin.action(description="Cancel the selected jobs")
    def cancel_jobs(self, request, queryset):
        self._each(request, queryset, jobs.cancel_mining_job, "cancelled")

    @admin.action(description="Retry the selected failed or cancelled jobs")
    def retry_jobs(self, request, queryset):
        self._each(request, queryset, jobs.retry_mining_job, "queued again")

    def _each(self, request, queryset, service, done):
        succeeded, refused = 0, []
        for job in queryset:
            try:
                service(job)
                succeeded += 1
            except Conflict as error:
                refused.append(f"{job}: {error.detail}")
        if succeeded:
            messages.success(request, f"{succeeded} job(s) {done}.")
        for line in refused:
            messages.warning(request, line)


@admin.register(MiningResult)
class MiningResultAdmin(admin.ModelAdmin):
    list_display = ("__str__", "contact_name", "company_name", "country", "status", "job", "created_at")
    list_filter = ("organizer", "status", "verification_status")
    list_select_related = ("job",)
    search_fields = ("contact_name", "company_name", "source_url", "website")
    raw_id_fields = ("job",)
    readonly_fields = ("id", "created_at", "updated_at", json_display("raw"))
    exclude = ("raw",)
    date_hierarchy = "created_at"


@admin.register(MiningJobLog)
class MiningJobLogAdmin(ReadOnlyAdmin):
    list_display = ("timestamp", "level", "message", "job")
    list_filter = ("level", "job__organizer")
    list_select_related = ("job",)
    search_fields = ("message", "job__name", "job__input")
    readonly_fields = (json_display("details"),)
    exclude = ("details",)
    date_hierarchy = "timestamp"
