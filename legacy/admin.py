from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from legacy.csv_import import start_csv_import
from legacy.models import List, ListMember, ListUpload, Prospect
from liffy.admin import ReadOnlyAdmin, json_display
from liffy.tables import read_upload


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


class ListAddForm(forms.ModelForm):
    """A new list, optionally filled from a CSV or XLSX file through the same import as the API."""

    csv_file = forms.FileField(required=False, label="CSV or XLSX file",
                               help_text="Optional: contacts to import (email column required).")

    class Meta:
        model = List
        fields = ("organizer", "name", "description", "type", "csv_file")

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if upload:
            try:
                read_upload(upload)
            except ValidationError as problem:
                raise ValidationError(problem.message_dict["file"])
            upload.seek(0)
        return upload


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

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ListAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not obj.created_by_user_id:
            obj.created_by_user = request.user
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("csv_file")
        if upload:
            try:
                _, progress, inline = start_csv_import(obj.organizer, request.user, upload, target=obj)
            except ValidationError as problem:
                messages.error(request, "; ".join(problem.messages))
                return
            if inline:
                messages.success(request, f"Imported {progress['imported']} row(s); {progress['skipped']} skipped.")
            else:
                messages.info(request, "The file is being imported in the background; see the import progress.")

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


@admin.register(ListUpload)
class ListUploadAdmin(ReadOnlyAdmin):
    """Files waiting for (or stuck in) a background list import; one whose import never finished may go."""

    list_display = ("name", "list", "organizer", "size", "created_at")
    list_filter = ("organizer",)
    list_select_related = ("list", "organizer")
    search_fields = ("name", "list__name")
    exclude = ("data",)
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        return True
