from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from campaigns.models import CampaignEvent
from liffy.admin_base import (
    OrganizerScopedAdmin,
    OrganizerScopedInline,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    change_link,
    changelist_link,
    choices_filter,
    json_display,
)
from liffy.errors import InvalidInput
from persons import selectors, services
from persons.models import Affiliation, Person, ProspectIntent, VerificationQueue, ZohoPushLog

TIMELINE_EVENTS = 25


class AffiliationInline(OrganizerScopedInline, admin.TabularInline):
    model = Affiliation
    fields = (
        "company_name",
        "position",
        "country_code",
        "city",
        "website",
        "phone",
        "confidence",
        "source_type",
        "mining_job",
        "created_at",
    )
    readonly_fields = ("mining_job", "created_at")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mining_job")


class IntentInline(ReadOnlyTabularInline):
    """Intents are facts (a reply, a booked meeting): shown here, recorded on the intent page."""

    model = ProspectIntent
    fields = ("intent_type", "campaign", "source", "confidence", "notes", "occurred_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign")


class PersonForm(forms.ModelForm):
    def clean_email(self):
        try:
            email = services.normalize_email(self.cleaned_data["email"])
        except InvalidInput as problem:
            raise forms.ValidationError(problem.messages) from problem
        organizer_id = self.instance.organizer_id or getattr(self.cleaned_data.get("organizer"), "pk", None)
        if organizer_id and Person.objects.filter(organizer_id=organizer_id, email__lower_exact=email).exists():
            raise forms.ValidationError("This organizer already has a person with this address.")
        return email


@admin.register(Person)
class PersonAdmin(OrganizerScopedAdmin):
    form = PersonForm
    list_display = ("email", "full_name", "latest_company", "latest_country", "verification_status", "created_at")
    list_filter = ("verification_status", "created_at")
    # alphabetical: the (organizer, lower(email)) indexes serve it at any size; newest first is a click away
    ordering = (Lower("email"),)
    search_fields = ("^email", "^first_name", "^last_name")
    search_help_text = "Start of the email address, first name or last name (each word)."
    readonly_fields = (
        "id",
        "created_at",
        "updated_at",
        "verification_status",
        "verified_at",
        "latest_affiliation",
        "engagement",
        "timeline",
        "lists",
    )
    inlines = (AffiliationInline, IntentInline)
    fieldsets = (
        (None, {"fields": ("id", "organizer", "email", "first_name", "last_name")}),
        ("Verification", {"fields": ("verification_status", "verified_at")}),
        ("Company", {"fields": ("latest_affiliation", "lists")}),
        ("Engagement", {"fields": ("engagement", "timeline")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"fields": ("organizer", "email", "first_name", "last_name")}),)

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        # the email is a person's identity: the database refuses to change it
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "email") if obj else fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("affiliations", queryset=selectors.latest_affiliations(), to_attr="latest_affiliation_list")
            )
        )

    def save_model(self, request, obj, form, change):
        if change:
            services.update_person(obj, **{name: form.cleaned_data[name] for name in form.changed_data})
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.delete_person(obj)

    @staticmethod
    def _latest(person):
        latest = getattr(person, "latest_affiliation_list", None)
        return latest[0] if latest else None

    @admin.display(description="company")
    def latest_company(self, person):
        latest = self._latest(person)
        return latest.company_name if latest and latest.company_name else "—"

    @admin.display(description="country")
    def latest_country(self, person):
        latest = self._latest(person)
        return latest.country_code if latest and latest.country_code else "—"

    @admin.display(description="name")
    def full_name(self, person):
        return person.full_name or "—"

    @admin.display(description="latest affiliation")
    def latest_affiliation(self, person):
        latest = self._latest(person)
        if latest is None:
            return "—"
        where = ", ".join(part for part in (latest.city, latest.country_code) if part)
        return format_html("{} {}", change_link(latest), f"({where})" if where else "")

    @admin.display(description="lists")
    def lists(self, person):
        memberships = person.list_memberships.select_related("list").order_by("list__name")
        return format_html_join(", ", "{}", ((change_link(m.list),) for m in memberships)) or "—"

    @admin.display(description="engagement score")
    def engagement(self, person):
        if person.pk is None:
            return "—"
        score = selectors.engagement_score(person)
        points = ", ".join(f"{name.replace('_', ' ')} {value:+d}" for name, value in score["points"].items() if value)
        spam = " — spam report: score 0" if score["spam_reported"] else ""
        return f"{score['score']} / 100" + (f" ({points})" if points else "") + spam

    @admin.display(description="events (newest first)")
    def timeline(self, person):
        if person.pk is None:
            return "—"
        events = (
            CampaignEvent.objects.filter(organizer_id=person.organizer_id, person=person)
            .select_related("campaign")
            .order_by("-occurred_at")[:TIMELINE_EVENTS]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    event.occurred_at.strftime("%Y-%m-%d %H:%M"),
                    event.event_type,
                    change_link(event.campaign),
                    event.url or event.reason or "",
                )
                for event in events
            ),
        )
        if not rows:
            return "No events yet."
        return format_html(
            '<table class="timeline"><thead><tr><th>when</th><th>event</th><th>campaign</th><th>detail</th></tr>'
            "</thead><tbody>{}</tbody></table><p>{} · {}</p>",
            rows,
            changelist_link(CampaignEvent, "all events of this person", person=person.pk),
            format_html(
                '<a href="{}?{}">record an intent</a>',
                reverse("admin:persons_prospectintent_add"),
                urlencode({"person": person.pk, "organizer": person.organizer_id}),
            ),
        )


@admin.register(Affiliation)
class AffiliationAdmin(OrganizerScopedAdmin):
    list_display = (
        "__str__",
        "person",
        "company_name",
        "position",
        "country_code",
        "confidence",
        "source_type",
        "created_at",
    )
    list_filter = (
        choices_filter("source_type", [(kind, kind) for kind in ("mining", "import", "manual", "backfill")], "source"),
    )
    search_fields = ("^company_name",)
    search_help_text = "Start of the company name."
    readonly_fields = ("id", "created_at", json_display("raw"))
    exclude = ("raw",)


@admin.register(ProspectIntent)
class ProspectIntentAdmin(OrganizerScopedAdmin):
    list_display = ("person", "intent_type", "campaign", "source", "confidence", "occurred_at")
    list_filter = ("intent_type", "source")
    search_fields = ("^person__email",)
    search_help_text = "Start of the person's email address."
    readonly_fields = ("id", "created_at", "created_by_user", json_display("meta"))
    exclude = ("meta",)

    def save_model(self, request, obj, form, change):
        if not change and request.user.organizer_id == obj.organizer_id:
            obj.created_by_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(VerificationQueue)
class VerificationQueueAdmin(ReadOnlyAdmin):
    """Worked through by the verification task; staff watch it."""

    list_display = ("email", "person", "status", "created_at", "processed_at")
    list_filter = ("status",)
    search_fields = ("email__lower_exact",)
    search_help_text = "The exact email address."
    readonly_fields = (json_display("result"),)
    exclude = ("result",)


@admin.register(ZohoPushLog)
class ZohoPushLogAdmin(ReadOnlyAdmin):
    list_display = ("person", "zoho_module", "action", "status", "zoho_record_id", "pushed_at")
    list_filter = ("zoho_module", "action", "status")
    search_fields = ("person__email__lower_exact", "zoho_record_id__exact")
    search_help_text = "The person's exact email address, or the Zoho record id."
    readonly_fields = (json_display("field_snapshot"),)
    exclude = ("field_snapshot",)
