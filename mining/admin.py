from django.contrib import admin

from liffy.admin import ReadOnlyAdmin, json_display
from mining.models import MiningJob, MiningJobLog, MiningResult


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
