from django.contrib import admin

from liffy.admin import ReadOnlyAdmin, StampOrganizerOnInlinesMixin, json_display
from persons.models import Affiliation, Person, ProspectIntent, VerificationQueue, ZohoPushLog


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    fields = ("company_name", "position", "country_code", "city", "website", "phone", "confidence", "source_type",
              "mining_job", "created_at")
    readonly_fields = ("mining_job", "created_at")
    extra = 0
    show_change_link = True


class IntentInline(admin.TabularInline):
    model = ProspectIntent
    fields = ("intent_type", "campaign", "source", "confidence", "notes", "occurred_at")
    raw_id_fields = ("campaign",)
    extra = 0
    show_change_link = True


@admin.register(Person)
class PersonAdmin(StampOrganizerOnInlinesMixin, admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "organizer", "verification_status", "created_at")
    list_filter = ("organizer", "verification_status", "created_at")
    list_select_related = ("organizer",)
    search_fields = ("email", "first_name", "last_name", "affiliations__company_name")
    date_hierarchy = "created_at"
    readonly_fields = ("id", "created_at", "updated_at", "verified_at")
    inlines = (AffiliationInline, IntentInline)

    def get_readonly_fields(self, request, obj=None):
        # the email is a person's identity: the database refuses to change it
        return (*self.readonly_fields, "organizer", "email") if obj else self.readonly_fields


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ("person", "company_name", "position", "country_code", "confidence", "source_type", "created_at")
    list_filter = ("organizer", "source_type", "country_code")
    list_select_related = ("person",)
    search_fields = ("person__email", "company_name", "position", "website")
    raw_id_fields = ("person", "mining_job")
    readonly_fields = ("id", "created_at", json_display("raw"))
    exclude = ("raw",)
    date_hierarchy = "created_at"


@admin.register(ProspectIntent)
class ProspectIntentAdmin(admin.ModelAdmin):
    list_display = ("person", "intent_type", "campaign", "source", "confidence", "occurred_at")
    list_filter = ("organizer", "intent_type", "source")
    list_select_related = ("person", "campaign")
    search_fields = ("person__email", "notes", "campaign__name")
    raw_id_fields = ("person", "campaign", "created_by_user")
    readonly_fields = ("id", "created_at", json_display("meta"))
    exclude = ("meta",)
    date_hierarchy = "occurred_at"


@admin.register(VerificationQueue)
class VerificationQueueAdmin(admin.ModelAdmin):
    list_display = ("email", "organizer", "status", "created_at", "processed_at")
    list_filter = ("organizer", "status")
    list_select_related = ("organizer",)
    search_fields = ("email",)
    raw_id_fields = ("person",)
    readonly_fields = ("id", "created_at", "processed_at", "prospect_id_legacy", json_display("result"))
    exclude = ("result",)
    date_hierarchy = "created_at"


@admin.register(ZohoPushLog)
class ZohoPushLogAdmin(ReadOnlyAdmin):
    list_display = ("person", "zoho_module", "action", "status", "zoho_record_id", "pushed_at")
    list_filter = ("organizer", "zoho_module", "action", "status")
    list_select_related = ("person",)
    search_fields = ("person__email", "zoho_record_id", "error_message")
    readonly_fields = (json_display("field_snapshot"),)
    exclude = ("field_snapshot",)
    date_hierarchy = "pushed_at"
