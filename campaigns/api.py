"""Campaigns API: templates, senders, campaigns and their lifecycle, recipients, events, analytics.

Thin views over the services (templates, senders, lifecycle, resolve) and selectors (analytics).
"""

import django_filters
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import analytics, lifecycle, senders, templates
from campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EmailTemplate,
    EventType,
    RecipientStatus,
    SenderIdentity,
)
from campaigns.resolve import STAT_KEYS, NothingToSend, resolve_campaign
from legacy.models import List
from liffy.filters import DateTimeFilter
from liffy.header_values import refuse_control_characters
from liffy.models import Role
from liffy.schema import counts_serializer
from liffy.tenancy import FilterSet, OrganizerScopedRelatedField, OrganizerScopedViewSet, organizer_of

OWNER_OR_ADMIN = (Role.OWNER, Role.ADMIN)


class TemplateSerializer(serializers.ModelSerializer):
    campaign_count = serializers.SerializerMethodField()

    class Meta:
        model = EmailTemplate
        fields = ["id", "name", "subject", "body_html", "body_text", "created_at", "campaign_count"]
        read_only_fields = ["id", "created_at", "campaign_count"]

    def get_campaign_count(self, template) -> int:
        """Annotated on the views' querysets; counted for a template just created or cloned."""
        count = getattr(template, "campaign_count", None)
        return template.campaigns.count() if count is None else count


class PreviewRequestSerializer(serializers.Serializer):
    sample_data = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        help_text="Placeholder values to render with.",
    )


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body_html = serializers.CharField()
    body_text = serializers.CharField(allow_null=True)


class CloneRequestSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=255)


class TemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrganizerScopedViewSet,
):
    """Email templates with {{placeholders}}; preview, clone; a template in use cannot be deleted (409)."""

    queryset = EmailTemplate.objects.order_by("name")
    serializer_class = TemplateSerializer
    search_fields = ["name", "subject"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return super().get_queryset().annotate(campaign_count=Count("campaigns"))

    def perform_destroy(self, template):
        templates.delete_template(template)

    @extend_schema(request=PreviewRequestSerializer, responses=PreviewSerializer)
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        template = self.get_object()
        data = PreviewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(templates.preview_template(template, data.validated_data.get("sample_data")))

    @extend_schema(request=CloneRequestSerializer, responses={201: TemplateSerializer})
    @action(detail=True, methods=["post"])
    def clone(self, request, pk=None):
        template = self.get_object()
        data = CloneRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy = templates.clone_template(template, data.validated_data.get("name"))
        return Response(TemplateSerializer(copy).data, status=201)


class SenderSerializer(serializers.ModelSerializer):
    from_email = serializers.EmailField(max_length=255, validators=[refuse_control_characters])
    reply_to = serializers.EmailField(
        max_length=255, required=False, allow_null=True, allow_blank=True, validators=[refuse_control_characters]
    )

    class Meta:
        model = SenderIdentity
        fields = ["id", "label", "from_name", "from_email", "reply_to", "is_default", "is_active", "user", "created_at"]
        read_only_fields = ["id", "is_active", "user", "created_at"]

    def validate_from_email(self, value):
        return value.strip().lower()

    def validate_reply_to(self, value):
        return value.strip().lower() or None if value else None


class SenderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrganizerScopedViewSet,
):
    """From addresses. One default per organizer; DELETE deactivates. Changes need owner or admin."""

    queryset = SenderIdentity.objects.order_by("-is_default", "from_email")
    serializer_class = SenderSerializer
    filterset_fields = ["is_default", "is_active"]
    search_fields = ["from_email", "from_name", "label"]
    action_roles = {action: OWNER_OR_ADMIN for action in ("create", "update", "partial_update", "destroy")}

    def get_queryset(self):
        """Lists show active senders unless ?is_active= says otherwise; details show any."""
        queryset = super().get_queryset()
        if self.action == "list" and "is_active" not in self.request.query_params:
            queryset = queryset.filter(is_active=True)
        return queryset

    def perform_create(self, serializer):
        serializer.instance = senders.save_sender(
            SenderIdentity(organizer=self.organizer, user=self.request.user), **serializer.validated_data
        )

    def perform_update(self, serializer):
        senders.save_sender(serializer.instance, **serializer.validated_data)

    @extend_schema(responses={200: SenderSerializer})
    def destroy(self, request, pk=None):
        """Deactivates the sender (campaigns that used it keep it) and answers with it."""
        sender = senders.deactivate_sender(self.get_object())
        return Response(SenderSerializer(sender).data)


class CampaignSerializer(serializers.ModelSerializer):
    template = OrganizerScopedRelatedField(queryset=EmailTemplate.objects.all())
    list = OrganizerScopedRelatedField(queryset=List.objects.all(), required=False, allow_null=True)
    sender = OrganizerScopedRelatedField(queryset=SenderIdentity.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "template",
            "list",
            "sender",
            "status",
            "include_risky",
            "verification_mode",
            "recipient_count",
            "scheduled_at",
            "started_at",
            "completed_at",
            "error",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "recipient_count",
            "scheduled_at",
            "started_at",
            "completed_at",
            "error",
            "created_at",
        ]


class RecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignRecipient
        fields = ["id", "email", "name", "status", "last_error", "sent_at", "person", "meta", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignEvent
        fields = [
            "id",
            "campaign",
            "recipient",
            "person",
            "event_type",
            "email",
            "url",
            "reason",
            "user_agent",
            "ip_address",
            "provider_event_id",
            "occurred_at",
            "created_at",
        ]


ResolveStatsSerializer = counts_serializer("ResolveStatsSerializer", STAT_KEYS)


class ResolvedCampaignSerializer(CampaignSerializer):
    stats = ResolveStatsSerializer(read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "stats"]


class NothingToSendSerializer(serializers.Serializer):
    detail = serializers.CharField()
    stats = ResolveStatsSerializer()


class CountsSerializer(serializers.Serializer):
    unique = serializers.IntegerField()
    total = serializers.IntegerField()


class RatesSerializer(serializers.Serializer):
    """Percentages with two decimals."""

    delivery_rate = serializers.FloatField()
    open_rate = serializers.FloatField()
    click_rate = serializers.FloatField()
    click_to_open = serializers.FloatField()
    bounce_rate = serializers.FloatField()
    spam_rate = serializers.FloatField()
    unsubscribe_rate = serializers.FloatField()


EventCountsSerializer = counts_serializer("EventCountsSerializer", analytics.SUMMARY_TYPES)


class SummarySerializer(serializers.Serializer):
    counts = EventCountsSerializer(help_text="Events per type.")
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opens = CountsSerializer()
    clicks = CountsSerializer()
    bounced = serializers.IntegerField()
    spam_reports = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    replies = serializers.IntegerField()
    rates = RatesSerializer()


class TopLinkSerializer(serializers.Serializer):
    url = serializers.CharField()
    clicks = serializers.IntegerField()
    unique_clickers = serializers.IntegerField()


class DomainSerializer(serializers.Serializer):
    domain = serializers.CharField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    bounced = serializers.IntegerField()
    open_rate = serializers.FloatField()
    bounce_rate = serializers.FloatField()


class CampaignReportSerializer(serializers.Serializer):
    summary = SummarySerializer()
    bounces = counts_serializer("BounceKindsSerializer", ("hard", "soft", "unknown"))()
    top_links = TopLinkSerializer(many=True)
    domains = DomainSerializer(many=True)


class TimelineBucketSerializer(EventCountsSerializer):
    start = serializers.CharField(help_text="Start of the hour or day (ISO 8601, the organizer's time zone).")


class TimelineSerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=analytics.TIMELINE_INTERVALS)
    timezone = serializers.CharField()
    buckets = TimelineBucketSerializer(many=True)


class CampaignSummarySerializer(SummarySerializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)


class OverviewSerializer(serializers.Serializer):
    campaigns = CampaignSummarySerializer(many=True)
    totals = SummarySerializer()


class TimelineQuerySerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=analytics.TIMELINE_INTERVALS, default="hour")


class RecipientQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RecipientStatus.choices, required=False)


class ScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrganizerScopedViewSet,
):
    """Campaigns: edit while draft, resolve the list into recipients, schedule, cancel. A request that
    finds the campaign in another status gets a 409 naming it."""

    queryset = Campaign.objects.select_related("template", "sender", "list").order_by("-created_at")
    serializer_class = CampaignSerializer
    filterset_fields = ["status"]
    search_fields = ["name"]
    ordering_fields = ["created_at", "name", "scheduled_at"]

    def filter_queryset(self, queryset):
        """Query parameters filter the list only: detail actions (recipients, timeline) read their own."""
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_update(self, serializer):
        serializer.instance = lifecycle.update_campaign(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, campaign):
        lifecycle.delete_campaign(campaign)

    def _respond(self, campaign, status=200, **extra):
        return Response(
            {**CampaignSerializer(campaign, context=self.get_serializer_context()).data, **extra}, status=status
        )

    @extend_schema(request=None, responses={200: ResolvedCampaignSerializer, 400: NothingToSendSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        campaign = self.get_object()
        try:
            stats = resolve_campaign(campaign)
        except NothingToSend as nothing:
            return Response({"detail": str(nothing), "stats": nothing.stats}, status=400)
        return self._respond(campaign, stats=stats)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def unresolve(self, request, pk=None):
        return self._respond(lifecycle.unresolve_campaign(self.get_object()))

    @extend_schema(request=ScheduleSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        campaign = self.get_object()
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(lifecycle.schedule_campaign(campaign, data.validated_data["scheduled_at"]))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def unschedule(self, request, pk=None):
        return self._respond(lifecycle.unschedule_campaign(self.get_object()))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._respond(lifecycle.cancel_campaign(self.get_object()))

    @extend_schema(request=None, responses={202: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._respond(lifecycle.start_campaign(self.get_object()), status=202)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._respond(lifecycle.pause_campaign(self.get_object()))

    @extend_schema(request=None, responses={202: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._respond(lifecycle.resume_campaign(self.get_object()), status=202)

    @extend_schema(parameters=[RecipientQuerySerializer], responses=RecipientSerializer(many=True))
    @action(detail=True, filter_backends=[])
    def recipients(self, request, pk=None):
        """The campaign's recipients, optionally of one status; paginated."""
        campaign = self.get_object()
        query = RecipientQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        recipients = CampaignRecipient.objects.for_organizer(self.organizer).filter(campaign=campaign)
        if "status" in query.validated_data:
            recipients = recipients.filter(status=query.validated_data["status"])
        page = self.paginate_queryset(recipients.order_by("created_at", "id"))
        return self.get_paginated_response(RecipientSerializer(page, many=True).data)

    @extend_schema(responses=CampaignReportSerializer)
    @action(detail=True)
    def analytics(self, request, pk=None):
        """Summary with rates, bounce breakdown, top links and per-domain table, from the event log."""
        return Response(analytics.campaign_report(self.get_object()))

    @extend_schema(parameters=[TimelineQuerySerializer], responses=TimelineSerializer)
    @action(detail=True, url_path="analytics/timeline")
    def timeline(self, request, pk=None):
        """Events per hour or day, in the organizer's time zone."""
        campaign = self.get_object()
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(analytics.timeline(campaign, self.organizer, query.validated_data["interval"]))


class AnalyticsOverviewView(APIView):
    """Every campaign of the organizer with its numbers, and the totals."""

    @extend_schema(responses=OverviewSerializer)
    def get(self, request):
        return Response(analytics.organizer_overview(organizer_of(request)))


class EventFilter(FilterSet):
    event_type = django_filters.MultipleChoiceFilter(choices=EventType.choices)
    email = django_filters.CharFilter(
        field_name="email", lookup_expr="lower_exact", help_text="This address, in any case."
    )
    occurred_after = DateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = DateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = CampaignEvent
        fields = ["campaign", "recipient", "person", "event_type", "email"]


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizerScopedViewSet):
    """The engagement log (immutable), newest first."""

    queryset = CampaignEvent.objects.order_by("-occurred_at", "-created_at", "-id")  # campaign_events_org_recent_idx
    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ["occurred_at"]
