from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html
from rest_framework.exceptions import APIException

from campaigns import lifecycle, senders, templates
from campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    EmailTemplate,
    SendThrottle,
    SenderIdentity,
    Unsubscribe,
)
from campaigns.resolve import NothingToSend, resolve_campaign
from liffy.admin import ReadOnlyAdmin, json_display


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "subject", "organizer", "created_at")
    list_filter = ("organizer",)
    list_select_related = ("organizer",)
    search_fields = ("name", "subject")
    readonly_fields = ("id", "created_at", "preview")
    date_hierarchy = "created_at"
    actions = ("clone_templates",)

    @admin.display(description="preview (sample data)")
    def preview(self, template):
        if not template.pk:
            return "—"
        message = templates.preview_template(template)
        return format_html(
            '<p><strong>Subject:</strong> {}</p><iframe sandbox srcdoc="{}" '
            'style="width:100%;height:320px;border:1px solid #ccc;background:#fff"></iframe>',
            message["subject"], message["body_html"],
        )

    @admin.action(description="Clone the selected templates")
    def clone_templates(self, request, queryset):
        for template in queryset:
            templates.clone_template(template)
        messages.success(request, f"{queryset.count()} template(s) cloned.")


@admin.register(SenderIdentity)
class SenderIdentityAdmin(admin.ModelAdmin):
    list_display = ("from_email", "from_name", "label", "organizer", "is_default", "is_active")
    list_filter = ("organizer", "is_default", "is_active")
    list_select_related = ("organizer",)
    search_fields = ("from_email", "from_name", "label", "reply_to")
    raw_id_fields = ("user",)
    readonly_fields = ("id", "created_at")
    actions = ("deactivate_senders",)

    def save_model(self, request, obj, form, change):
        senders.save_sender(obj)  # keeps one default per organizer

    @admin.action(description="Deactivate the selected senders")
    def deactivate_senders(self, request, queryset):
        for sender in queryset:
            senders.deactivate_sender(sender)
        messages.success(request, f"{queryset.count()} sender(s) deactivated.")


def _reason(refusal):
    if isinstance(refusal, APIException):
        return str(refusal.detail)
    if isinstance(refusal, ValidationError):
        return "; ".join(refusal.messages)
    return str(refusal)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "organizer", "status", "recipient_count", "scheduled_at", "started_at", "completed_at")
    list_filter = ("organizer", "status", "verification_mode", "include_risky")
    list_select_related = ("organizer",)
    search_fields = ("name", "template__name")
    raw_id_fields = ("template", "list", "sender")
    readonly_fields = ("id", "created_at", "started_at", "completed_at", "recipient_count", "error")
    date_hierarchy = "created_at"
    actions = ("resolve_selected", "start_selected", "pause_selected", "resume_selected", "cancel_selected")

    def _apply(self, request, queryset, service, done):
        """Run a lifecycle service on each selected campaign; report what worked and why the rest did not."""
        succeeded, refusals = 0, []
        for campaign in queryset.select_related("template", "sender"):
            try:
                with transaction.atomic():
                    service(campaign)
                succeeded += 1
            except (APIException, ValidationError, NothingToSend) as refusal:
                refusals.append(f"{campaign.name}: {_reason(refusal)}")
        if succeeded:
            messages.success(request, f"{succeeded} campaign(s) {done}.")
        for refusal in refusals:
            messages.error(request, refusal)

    @admin.action(description="Resolve the selected drafts into recipients")
    def resolve_selected(self, request, queryset):
        self._apply(request, queryset, resolve_campaign, "resolved")

    @admin.action(description="Start sending the selected campaigns")
    def start_selected(self, request, queryset):
        self._apply(request, queryset, lifecycle.start_campaign, "started")

    @admin.action(description="Pause the selected campaigns")
    def pause_selected(self, request, queryset):
        self._apply(request, queryset, lifecycle.pause_campaign, "paused")

    @admin.action(description="Resume the selected campaigns")
    def resume_selected(self, request, queryset):
        self._apply(request, queryset, lifecycle.resume_campaign, "resumed")

    @admin.action(description="Cancel the selected campaigns")
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, lifecycle.cancel_campaign, "cancelled")


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(admin.ModelAdmin):
    list_display = ("email", "campaign", "status", "sent_at", "open_count", "click_count", "last_error")
    list_filter = ("organizer", "status")
    list_select_related = ("campaign",)
    search_fields = ("email", "name", "campaign__name")
    raw_id_fields = ("campaign", "person")
    # engagement lives in campaign_events; these legacy columns are frozen in the database
    readonly_fields = ("id", "created_at", "sent_at", "prospect_id_legacy", "delivered_at", "opened_at",
                       "clicked_at", "bounced_at", "open_count", "click_count", json_display("meta"))
    exclude = ("meta",)


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    """The engagement log is immutable (a database trigger refuses updates): view only."""

    list_display = ("occurred_at", "event_type", "email", "campaign", "url", "reason")
    list_filter = ("organizer", "event_type", "occurred_at")
    list_select_related = ("campaign",)
    search_fields = ("email", "provider_event_id", "url", "campaign__name")
    readonly_fields = (json_display("provider_response"),)
    exclude = ("provider_response",)
    date_hierarchy = "occurred_at"


@admin.register(Unsubscribe)
class UnsubscribeAdmin(admin.ModelAdmin):
    list_display = ("email", "organizer", "source", "reason", "created_at")
    list_filter = ("organizer", "source")
    list_select_related = ("organizer",)
    search_fields = ("email", "reason")
    readonly_fields = ("id", "created_at")
    date_hierarchy = "created_at"


@admin.register(SendThrottle)
class SendThrottleAdmin(ReadOnlyAdmin):
    """Each organizer's next free send slot, kept by the send workers: view only."""

    list_display = ("organizer", "next_slot_at")
    list_select_related = ("organizer",)
    search_fields = ("organizer__name",)
