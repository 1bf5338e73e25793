from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.utils.html import format_html, format_html_join

from legacy.csv_import import start_csv_import
from legacy.models import List, ListMember, ListUpload, Prospect
from liffy.admin_base import (
    OrganizerScopedAdmin,
    ReadOnlyAdmin,
    ViewAndDeleteAdmin,
    changelist_link,
    choices_filter,
    json_display,
)
from liffy.admin_messages import report_refusal
from liffy.errors import InvalidInput
from liffy.tables import read_upload
from persons.models import VerificationStatus

SHOWN_IMPORT_ERRORS = 10


@admin.register(Prospect)
class ProspectAdmin(ReadOnlyAdmin):
    """The archive of the original prospects table: kept for reference, never edited."""

    list_display = ("email", "name", "company", "country", "verification_status", "created_at")
    list_filter = (choices_filter("verification_status", VerificationStatus.choices),)
    search_fields = ("^email", "^company")
    readonly_fields = (json_display("meta"),)
    exclude = ("meta",)


class ListAddForm(forms.ModelForm):
    """A new list, optionally filled from a CSV or XLSX file through the same import as the API."""

    csv_file = forms.FileField(
        required=False, label="CSV or XLSX file", help_text="Optional: contacts to import (email column required)."
    )

    class Meta:
        model = List
        fields = ("organizer", "name", "description", "type", "csv_file")

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if upload:
            try:
                read_upload(upload)
            except InvalidInput as problem:
                raise ValidationError(problem.errors["file"]) from problem
            upload.seek(0)
        return upload


def import_progress_text(list_):
    """Where the list's last CSV import stands, in words."""
    progress = list_.import_progress or {}
    if not list_.import_status:
        return "No import."
    text = (
        f"{list_.import_status.capitalize()}: {progress.get('imported', 0)} of {progress.get('total', '?')} "
        f"rows imported, {progress.get('skipped', 0)} skipped, {progress.get('duplicates', 0)} duplicates"
        f"{' (file ' + progress['file_name'] + ')' if progress.get('file_name') else ''}."
        f"{' ' + progress['failure'] if progress.get('failure') else ''}"
    )
    errors = progress.get("errors") or []
    if not errors:
        return text
    lines = format_html_join(
        "", "<li>row {}: {}</li>", ((e.get("row"), e.get("error")) for e in errors[:SHOWN_IMPORT_ERRORS])
    )
    return format_html("{}<ul>{}</ul>", text, lines)


def member_count_subquery():
    """Members of the list, counted per row shown (never for the whole table at once)."""
    return Subquery(
        ListMember.objects.filter(list=OuterRef("pk")).order_by().values("list").annotate(n=Count("*")).values("n"),
        output_field=IntegerField(),
    )


@admin.register(List)
class ListAdmin(OrganizerScopedAdmin):
    list_display = ("name", "type", "member_count", "import_status", "created_at")
    list_filter = ("type", "import_status")
    search_fields = ("name", "description")
    readonly_fields = (
        "id",
        "created_at",
        "created_by_user",
        "member_count",
        "import_status",
        "import_progress_words",
        json_display("import_progress", "import progress (raw)"),
    )
    exclude = ("import_progress",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=member_count_subquery())

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ListAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and request.user.organizer_id == obj.organizer_id:
            obj.created_by_user = request.user
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("csv_file")
        if upload:
            try:
                _, progress, inline = start_csv_import(obj.organizer, obj.created_by_user, upload, target=obj)
            except InvalidInput as problem:
                report_refusal(request, problem)
                return
            if inline:
                messages.success(request, f"Imported {progress['imported']} row(s); {progress['skipped']} skipped.")
            else:
                messages.info(request, "The file is being imported in the background; see the import progress.")

    @admin.display(description="members", ordering="member_total")
    def member_count(self, list_):
        if list_.pk is None:
            return "—"
        return changelist_link(ListMember, list_.member_total or 0, list__id__exact=list_.pk)

    @admin.display(description="import progress")
    def import_progress_words(self, list_):
        return import_progress_text(list_)


@admin.register(ListMember)
class ListMemberAdmin(OrganizerScopedAdmin):
    list_display = ("person", "list", "created_at")
    list_filter = ("list",)
    search_fields = ("person__email__lower_exact",)
    search_help_text = "The person's exact email address."
    readonly_fields = ("id", "created_at", "prospect_id_legacy")


@admin.register(ListUpload)
class ListUploadAdmin(ViewAndDeleteAdmin):
    """Files waiting for (or stuck in) a background list import; one whose import never finished may go."""

    list_display = ("name", "list", "size", "created_at")
    search_fields = ("name", "list__name")
    exclude = ("data",)
