from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from campaigns import analytics, lifecycle, senders, templates
from campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EmailTemplate,
    RecipientStatus,
    SendThrottle,
    SenderIdentity,
    Unsubscribe,
)
from campaigns.resolve import resolve_campaign
from liffy.admin_actions import ServiceAction
from liffy.admin_base import OrganizerScopedAdmin, ReadOnlyAdmin, changelist_link, json_display

S = CampaignStatus


@admin.register(EmailTemplate)
class EmailTemplateAdmin(OrganizerScopedAdmin):
    list_display = ("name", "subject", "created_at")
    search_fields = ("name", "subject")
    readonly_fields = ("id", "created_at", "preview")
    service_actions = (
        ServiceAction(
            "clone",
            "Clone",
            templates.clone_template,
            "cloned",
            explanation="Each template gets a copy named “… (copy)”.",
        ),
    )

    def delete_model(self, request, obj):
        templates.delete_template(obj)  # refused while a campaign uses it

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the service, one template at a time
        return actions

    @admin.display(description="preview (sample data)")
    def preview(self, template):
        if not template.pk:
            return "—"
        message = templates.preview_template(template)
        return format_html(
            '<p><strong>Subject:</strong> {}</p><iframe sandbox srcdoc="{}" '
            'style="width:100%;height:320px;border:1px solid #ccc;background:#fff"></iframe>',
            message["subject"],
            message["body_html"],
        )


@admin.register(SenderIdentity)
class SenderIdentityAdmin(OrganizerScopedAdmin):
    """Senders are deactivated, never deleted (campaigns keep pointing at them), as in the API."""

    list_display = ("from_email", "from_name", "label", "is_default", "is_active")
    list_filter = ("is_default", "is_active")
    search_fields = ("from_email", "from_name", "label")
    readonly_fields = ("id", "created_at")
    service_actions = (
        ServiceAction(
            "deactivate",
            "Deactivate",
            senders.deactivate_sender,
            "deactivated",
            explanation="Deactivated senders can no longer be used for new sends.",
            offered=lambda sender: sender.is_active,
        ),
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change and obj.organizer_id is None:
            obj.organizer_id = request.user.organizer_id
        senders.save_sender(obj)  # keeps one default per organizer


class ScheduleForm(forms.Form):
    scheduled_at = forms.SplitDateTimeField(
        widget=AdminSplitDateTime, label="Send at", help_text="In the server's time zone (UTC)."
    )


def _resolved(stats):
    excluded = ", ".join(
        f"{stats[key]} {key.removeprefix('excluded_')}" for key in stats if key.startswith("excluded_") and stats[key]
    )
    return f"{stats['inserted']} of the list's {stats['total_in_list']} members became recipients" + (
        f" (left out: {excluded})." if excluded else "."
    )


@admin.register(Campaign)
class CampaignAdmin(OrganizerScopedAdmin):
    """Statuses change only through the lifecycle actions (the API's services), after a confirmation;
    the content can be edited only while the campaign is a draft."""

    list_display = ("name", "status", "template", "recipient_count", "scheduled_at", "started_at", "completed_at")
    list_filter = ("status", "verification_mode", "include_risky")
    search_fields = ("name",)
    readonly_fields = (
        "id",
        "status",
        "scheduled_at",
        "created_at",
        "started_at",
        "completed_at",
        "recipient_count",
        "error",
        "analytics_summary",
        "recipients_by_status",
    )
    fieldsets = (
        (None, {"fields": ("id", "organizer", "name", "status", "error")}),
        ("Content and audience", {"fields": ("template", "list", "sender", "include_risky", "verification_mode")}),
        (
            "Sending",
            {"fields": ("recipient_count", "recipients_by_status", "scheduled_at", "started_at", "completed_at")},
        ),
        ("Analytics", {"fields": ("analytics_summary",)}),
        ("Dates", {"fields": ("created_at",)}),
    )
    add_fieldsets = (
        (None, {"fields": ("organizer", "name", "template", "list", "sender", "include_risky", "verification_mode")}),
    )
    service_actions = (
        ServiceAction(
            "resolve",
            "Resolve into recipients",
            resolve_campaign,
            "resolved",
            explanation="The list's eligible members become the campaign's recipients (draft → ready).",
            offered=lambda c: c.status == S.DRAFT,
            report=_resolved,
        ),
        ServiceAction(
            "unresolve",
            "Send back to draft",
            lifecycle.unresolve_campaign,
            "sent back to draft",
            explanation="The recipients are dropped; the campaign can be edited and resolved again.",
            offered=lambda c: c.status == S.READY,
        ),
        ServiceAction(
            "schedule",
            "Schedule",
            lifecycle.schedule_campaign,
            "scheduled",
            form=ScheduleForm,
            explanation="Sending starts by itself at the given time.",
            offered=lambda c: c.status in (S.READY, S.SCHEDULED),
        ),
        ServiceAction(
            "unschedule",
            "Unschedule",
            lifecycle.unschedule_campaign,
            "unscheduled",
            offered=lambda c: c.status == S.SCHEDULED,
        ),
        ServiceAction(
            "start",
            "Start sending",
            lifecycle.start_campaign,
            "started",
            explanation="Messages go out now, through SendGrid, at the organizer's send rate.",
            offered=lambda c: c.status in (S.READY, S.SCHEDULED),
        ),
        ServiceAction(
            "pause",
            "Pause",
            lifecycle.pause_campaign,
            "paused",
            explanation="Workers stop after the batch they are sending.",
            offered=lambda c: c.status == S.SENDING,
        ),
        ServiceAction("resume", "Resume", lifecycle.resume_campaign, "resumed", offered=lambda c: c.status == S.PAUSED),
        ServiceAction(
            "cancel",
            "Cancel",
            lifecycle.cancel_campaign,
            "cancelled",
            explanation="Recipients not sent yet are skipped. A cancelled campaign cannot be restarted.",
            offered=lambda c: c.status in lifecycle.CANCELLABLE,
        ),
    )

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status != S.DRAFT:
            fields += tuple(lifecycle.EDITABLE_FIELDS)
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the service, one campaign at a time
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            lifecycle.update_campaign(obj, **{name: form.cleaned_data[name] for name in form.changed_data})
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        lifecycle.delete_campaign(obj)  # refused while sending

    @admin.display(description="recipients by status")
    def recipients_by_status(self, campaign):
        if campaign.pk is None:
            return "—"
        counts = dict(
            CampaignRecipient.objects.filter(organizer_id=campaign.organizer_id, campaign=campaign)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        links = format_html_join(
            " · ",
            "{}",
            (
                (
                    changelist_link(
                        CampaignRecipient,
                        f"{counts[status]} {status}",
                        campaign__id__exact=campaign.pk,
                        status__exact=status,
                    ),
                )
                for status in RecipientStatus.values
                if counts.get(status)
            ),
        )
        everyone = changelist_link(CampaignRecipient, "all recipients", campaign__id__exact=campaign.pk)
        return format_html("{} · {}", links, everyone) if links else "No recipients yet (resolve the campaign)."

    @admin.display(description="summary (from the event log)")
    def analytics_summary(self, campaign):
        if campaign.pk is None:
            return "—"
        summary = analytics.campaign_summary(campaign)
        rates = summary["rates"]
        rows = [
            ("sent", summary["sent"], ""),
            ("delivered", summary["delivered"], f"{rates['delivery_rate']} %"),
            (
                "opened (unique / total)",
                f"{summary['opens']['unique']} / {summary['opens']['total']}",
                f"{rates['open_rate']} %",
            ),
            (
                "clicked (unique / total)",
                f"{summary['clicks']['unique']} / {summary['clicks']['total']}",
                f"{rates['click_rate']} % of delivered",
            ),
            ("replied", summary["replies"], ""),
            ("bounced", summary["bounced"], f"{rates['bounce_rate']} %"),
            ("spam reports", summary["spam_reports"], f"{rates['spam_rate']} %"),
            ("unsubscribed", summary["unsubscribed"], f"{rates['unsubscribe_rate']} %"),
        ]
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            '<table class="analytics-summary"><tbody>{}</tbody></table><p>{}</p>',
            body,
            changelist_link(CampaignEvent, "the campaign's events", campaign__id__exact=campaign.pk),
        )


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(ReadOnlyAdmin):
    """A resolved snapshot whose status only sending and the event webhook move: view only."""

    list_display = ("email", "campaign", "status", "sent_at", "last_error")
    list_filter = ("status", "campaign")
    search_fields = ("email__lower_exact",)
    search_help_text = "The exact email address."
    readonly_fields = (json_display("meta"),)
    exclude = ("meta",)


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    """The engagement log is immutable (a database trigger refuses updates): view only."""

    list_display = ("occurred_at", "event_type", "email", "campaign", "url", "reason")
    list_filter = ("event_type", "occurred_at", "campaign")
    search_fields = ("email__lower_exact",)
    search_help_text = "The exact email address."
    readonly_fields = (json_display("provider_response"),)
    exclude = ("provider_response",)


@admin.register(Unsubscribe)
class UnsubscribeAdmin(OrganizerScopedAdmin):
    list_display = ("email", "source", "reason", "created_at")
    list_filter = ("source",)
    search_fields = ("email__lower_exact",)
    search_help_text = "The exact email address."
    readonly_fields = ("id", "created_at")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "email") if obj else fields


@admin.register(SendThrottle)
class SendThrottleAdmin(ReadOnlyAdmin):
    """Each organizer's next free send slot, kept by the send workers: view only."""

    organizer_lookup = "organizer"
    list_display = ("organizer", "next_slot_at")
    search_fields = ("organizer__name",)
