from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from legacy.models import List, ListMember, Prospect
from liffy.admin import ReadOnlyAdmin, json_display


@admin.register(Prospect)
class ProspectAdmin(ReadOnlyAdmin):
    """The archive of the original prospects table: kept for reference, never edited."""

    list_display = ("email", "name", "company", "country", "organizer", "verification_status", "created_at")
    list_filter = ("organizer", "verification_status", "source_type")
    list_select_related = ("organizer",)
    search_fields = ("email", "name", "company")
    readonly_fields = (json_display("meta"),)
    exclude = ("meta",)
    date_hierarchy = "created_at"


@admin.register(List)
class ListAdmin(admin.ModelAdmin):
    list_display = ("name", "organizer", "type", "member_count", "import_status", "created_at")
    list_filter = ("organizer", "type", "import_status")
    list_select_related = ("organizer",)
    search_fields = ("name", "description")
    raw_id_fields = ("created_by_user",)
    readonly_fields = ("id", "created_at", "import_status", json_display("import_progress"))
    exclude = ("import_progress",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, list_):
        url = reverse("admin:legacy_listmember_changelist") + f"?list__id__exact={list_.pk}"
        return format_html('<a href="{}">{}</a>', url, list_.member_total)


@admin.register(ListMember)
class ListMemberAdmin(admin.ModelAdmin):
    list_display = ("person", "list", "created_at")
    list_filter = ("organizer", "list")
    list_select_related = ("person", "list")
    search_fields = ("person__email", "list__name")
    raw_id_fields = ("list", "person")
    readonly_fields = ("id", "created_at", "prospect_id_legacy")
