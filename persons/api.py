"""Persons, affiliations and intents API. Views validate, call a service or selector, and serialize."""

import django_filters
from django.utils.functional import cached_property
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from campaigns.models import Campaign, EventType
from liffy.models import Role
from legacy.models import List
from liffy.filters import DateTimeFilter, WordSearchFilter
from liffy.schema import OUTSIDE_SERVICE, counts_serializer
from liffy.tenancy import (
    FilterBackend,
    FilterSet,
    OrganizerScopedRelatedField,
    OrganizerScopedViewSet,
    get_for_organizer_or_404,
)
from persons import selectors, services, verification, zoho_push
from persons.models import (
    Affiliation,
    IntentType,
    Person,
    ProspectIntent,
    QueueStatus,
    VerificationQueue,
    VerificationStatus,
    ZohoModule,
    ZohoPushLog,
)

OWNER_OR_ADMIN = (Role.OWNER, Role.ADMIN)


def confidence_field():
    return serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=0, max_value=1, required=False, allow_null=True
    )


class AffiliationSerializer(serializers.ModelSerializer):
    confidence = confidence_field()

    class Meta:
        model = Affiliation
        fields = [
            "id",
            "company_name",
            "position",
            "country_code",
            "city",
            "website",
            "phone",
            "source_type",
            "source_ref",
            "mining_job",
            "confidence",
            "created_at",
        ]
        read_only_fields = ["id", "source_type", "source_ref", "mining_job", "created_at"]

    def validate_country_code(self, value):
        if value and (len(value) != 2 or not value.isalpha()):
            raise serializers.ValidationError("Use an ISO 3166-1 alpha-2 code, e.g. DE.")
        return value.upper() if value else value


class PersonSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(max_length=320)
    latest_affiliation = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "verification_status",
            "verified_at",
            "created_at",
            "updated_at",
            "latest_affiliation",
        ]
        read_only_fields = ["id", "verification_status", "verified_at", "created_at", "updated_at"]

    def get_latest_affiliation(self, person) -> AffiliationSerializer(allow_null=True):
        latest = getattr(person, "latest_affiliation_list", None)
        return self._affiliation.to_representation(latest[0]) if latest else None

    @cached_property
    def _affiliation(self):
        """One affiliation serializer for every row of a page (building its fields costs more than a row)."""
        return AffiliationSerializer()


class IntentSerializer(serializers.ModelSerializer):
    person = OrganizerScopedRelatedField(queryset=Person.objects.all())
    campaign = OrganizerScopedRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    confidence = confidence_field()

    class Meta:
        model = ProspectIntent
        fields = [
            "id",
            "person",
            "campaign",
            "intent_type",
            "source",
            "notes",
            "confidence",
            "meta",
            "occurred_at",
            "created_at",
            "created_by_user",
        ]
        read_only_fields = ["id", "created_at", "created_by_user"]


class ZohoPushSerializer(serializers.ModelSerializer):
    class Meta:
        model = ZohoPushLog
        fields = ["id", "zoho_module", "zoho_record_id", "action", "status", "error_message", "pushed_at"]


class EventTallySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    last_at = serializers.DateTimeField()


# {event_type: {count, last_at}} for the event types the person has
EVENT_TALLIES = serializers.DictField(
    child=EventTallySerializer(), help_text="Per event type (" + ", ".join(EventType.values) + ")."
)


class PersonListRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PersonDetailSerializer(PersonSerializer):
    affiliations = AffiliationSerializer(many=True, read_only=True)
    intents = IntentSerializer(many=True, read_only=True)
    zoho_pushes = ZohoPushSerializer(many=True, read_only=True)
    engagement = serializers.SerializerMethodField()
    lists = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "affiliations", "intents", "engagement", "zoho_pushes", "lists"]

    @extend_schema_field(EVENT_TALLIES)
    def get_engagement(self, person):
        return selectors.engagement_summary(person)

    @extend_schema_field(PersonListRefSerializer(many=True))
    def get_lists(self, person):
        return [{"id": m.list_id, "name": m.list.name} for m in person.list_memberships.select_related("list")]


class PersonStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_verification_status = counts_serializer("VerificationStatusCountsSerializer", VerificationStatus.values)()
    with_intent = serializers.IntegerField()


class EngagementPointsSerializer(serializers.Serializer):
    campaigns_opened = serializers.IntegerField()
    campaigns_clicked = serializers.IntegerField()
    replies = serializers.IntegerField()
    bounces = serializers.IntegerField()
    intents = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()


class EngagementSerializer(serializers.Serializer):
    summary = EVENT_TALLIES
    score = serializers.IntegerField(min_value=0, max_value=100)
    spam_reported = serializers.BooleanField()
    points = EngagementPointsSerializer()


class PersonFilter(FilterSet):
    verification_status = django_filters.ChoiceFilter(
        choices=[*VerificationStatus.choices, ("exclude_invalid", "Not invalid or risky")],
        method="filter_verification_status",
    )
    country = django_filters.CharFilter(method="filter_country", help_text="Affiliation country (ISO-2).")
    company = django_filters.CharFilter(method="filter_company", help_text="Affiliation company (contains).")
    has_intent = django_filters.BooleanFilter(method="filter_has_intent")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Person
        fields = []

    def filter_verification_status(self, queryset, name, value):
        if value == "exclude_invalid":
            return queryset.exclude(verification_status__in=[VerificationStatus.INVALID, VerificationStatus.RISKY])
        return queryset.filter(verification_status=value)

    def _with_affiliation(self, queryset, condition):
        return queryset.filter(Exists(Affiliation.objects.filter(condition, person=OuterRef("pk"))))

    def filter_country(self, queryset, name, value):
        # codes are stored upper case (or lower): the column's statistics then tell the planner how many
        # match, which it cannot know of upper(country_code)
        return self._with_affiliation(queryset, Q(country_code__in=sorted({value.upper(), value.lower()})))

    def filter_company(self, queryset, name, value):
        return self._with_affiliation(queryset, Q(company_name__icontains=value))

    def filter_has_intent(self, queryset, name, value):
        has_intent = Exists(ProspectIntent.objects.filter(person=OuterRef("pk")))
        return queryset.filter(has_intent if value else ~has_intent)


class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrganizerScopedViewSet,
):
    """Persons of the caller's organizer. The email is immutable; deleting is for owners and admins."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    filter_backends = [FilterBackend, WordSearchFilter, OrderingFilter]
    search_help = (
        "Persons whose email starts with the term, or whose first and last name (or one of whose "
        "company names) has a word beginning with each word of the term; any case, words are runs "
        "of letters and digits. `ann` finds ann@fair.test, Anna Meyer and Annex Fairs; `nne` none."
    )
    ordering_fields = ["created_at", "email", "last_name"]
    action_roles = {"destroy": OWNER_OR_ADMIN}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        # the same latest_affiliation everywhere; newest first, served by persons_organizer_recent_idx
        people = selectors.persons_with_latest_affiliation(self.organizer).order_by("-created_at", "-id")
        if self.action == "retrieve":
            return people.prefetch_related("affiliations", "intents", "zoho_pushes")
        return people

    def search(self, queryset, term):
        return selectors.search_persons(self.organizer, queryset, term)

    def get_serializer_class(self):
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    def perform_create(self, serializer):
        serializer.instance = services.create_person(self.organizer, **serializer.validated_data)

    def perform_update(self, serializer):
        services.update_person(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, person):
        services.delete_person(person)

    @extend_schema(responses=PersonStatsSerializer)
    @action(detail=False)
    def stats(self, request):
        return Response(selectors.person_stats(self.organizer))

    @extend_schema(responses=EngagementSerializer)
    @action(detail=True)
    def engagement(self, request, pk=None):
        """Events per type (count, last) and the engagement score with the points it is made of."""
        person = self.get_object()
        return Response({"summary": selectors.engagement_summary(person), **selectors.engagement_score(person)})

    @extend_schema(methods=["GET"], responses=AffiliationSerializer(many=True))
    @extend_schema(methods=["POST"], request=AffiliationSerializer, responses={201: AffiliationSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=AffiliationSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def affiliations(self, request, pk=None):
        """GET: the person's affiliations (all of them, not paginated). POST: add one."""
        person = self.get_object()
        if request.method == "GET":
            return Response(AffiliationSerializer(person.affiliations.all(), many=True).data)
        serializer = AffiliationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        affiliation = services.add_affiliation(person, **serializer.validated_data, source_type="manual")
        return Response(AffiliationSerializer(affiliation).data, status=201)


class IntentStatsSerializer(serializers.Serializer):
    intent_type = serializers.ChoiceField(choices=IntentType.choices)
    count = serializers.IntegerField()
    unique_persons = serializers.IntegerField()


class IntentFilter(FilterSet):
    class Meta:
        model = ProspectIntent
        fields = ["intent_type", "campaign", "person", "source"]


class IntentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    OrganizerScopedViewSet,
):
    """Intents: a person who showed interest, at most once per campaign and type (a duplicate is a 409)."""

    queryset = ProspectIntent.objects.select_related("person", "campaign").order_by("-occurred_at", "-created_at")
    serializer_class = IntentSerializer
    filterset_class = IntentFilter
    ordering_fields = ["occurred_at", "created_at"]

    def perform_create(self, serializer):
        serializer.instance = services.record_intent(
            self.organizer, created_by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, intent):
        services.delete_intent(intent)

    @extend_schema(responses=IntentStatsSerializer(many=True))
    @action(detail=False, filter_backends=[], pagination_class=None)
    def stats(self, request):
        """Per intent type: intents and distinct persons."""
        return Response(selectors.intent_stats(self.organizer))


class VerifySingleSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)


class VerifyListSerializer(serializers.Serializer):
    list_id = serializers.UUIDField(required=False)
    emails = serializers.ListField(child=serializers.EmailField(max_length=320), required=False, max_length=50_000)

    def validate(self, data):
        if not data.get("list_id") and not data.get("emails"):
            raise serializers.ValidationError("Give list_id or emails.")
        return data


class VerifySingleResponseSerializer(serializers.Serializer):
    email = serializers.EmailField()
    status = serializers.ChoiceField(choices=VerificationStatus.choices)
    sub_status = serializers.CharField(allow_null=True)
    result = serializers.DictField(help_text="ZeroBounce's answer as it came.")


class VerifyListResponseSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="New rows in the queue.")
    considered = serializers.IntegerField(help_text="Distinct addresses looked at.")


class QueueStatusQuerySerializer(serializers.Serializer):
    list_id = serializers.UUIDField(required=False, help_text="Only the members of this list.")


class QueueStatusSerializer(serializers.Serializer):
    counts = counts_serializer("QueueStatusCountsSerializer", QueueStatus.values)()
    key_rejected_at = serializers.DateTimeField(allow_null=True)


class CreditsSerializer(serializers.Serializer):
    credits = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField(required=False, help_text="Why there are no credits to show.")


class VerificationViewSet(OrganizerScopedViewSet):
    """ZeroBounce verification: one address now, or whole lists through the queue a worker drains."""

    queryset = VerificationQueue.objects.all()

    @extend_schema(request=VerifySingleSerializer, responses={200: VerifySingleResponseSerializer, **OUTSIDE_SERVICE})
    @action(detail=False, methods=["post"], url_path="verify-single", serializer_class=VerifySingleSerializer)
    def verify_single(self, request):
        data = VerifySingleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(verification.verify_single(self.organizer, data.validated_data["email"]))

    @extend_schema(request=VerifyListSerializer, responses={202: VerifyListResponseSerializer})
    @action(detail=False, methods=["post"], url_path="verify-list", serializer_class=VerifyListSerializer)
    def verify_list(self, request):
        data = VerifyListSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        emails = list(data.validated_data.get("emails") or [])
        if data.validated_data.get("list_id"):
            target = get_for_organizer_or_404(List.objects, self.organizer, data.validated_data["list_id"], "list")
            emails += verification.list_emails(self.organizer.pk, target.pk)
        queued = verification.queue_for_verification(self.organizer.pk, emails)
        return Response({"queued": queued, "considered": len(set(emails))}, status=202)

    @extend_schema(parameters=[QueueStatusQuerySerializer], responses=QueueStatusSerializer)
    @action(detail=False, url_path="queue-status")
    def queue_status(self, request):
        query = QueueStatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        list_id = query.validated_data.get("list_id")
        if list_id:
            list_id = get_for_organizer_or_404(List.objects, self.organizer, list_id, "list").pk
        return Response(verification.queue_status(self.organizer, list_id))

    @extend_schema(responses={200: CreditsSerializer, **OUTSIDE_SERVICE})
    @action(detail=False)
    def credits(self, request):
        return Response(verification.credits(self.organizer))


class ZohoPushRequestSerializer(serializers.Serializer):
    person_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=10_000)
    module = serializers.ChoiceField(choices=ZohoModule.choices, default=ZohoModule.LEADS)


class ZohoPushListSerializer(serializers.Serializer):
    list_id = serializers.UUIDField()
    module = serializers.ChoiceField(choices=ZohoModule.choices, default=ZohoModule.LEADS)


class ZohoPushFilter(FilterSet):
    class Meta:
        model = ZohoPushLog
        fields = ["person", "zoho_module", "status", "action"]


class ZohoPushResultSerializer(serializers.Serializer):
    pushed = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField()


class ZohoPushStatusSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    last_push_at = serializers.DateTimeField(allow_null=True)
    persons = serializers.IntegerField()
    configured = serializers.BooleanField()


class ZohoViewSet(mixins.ListModelMixin, OrganizerScopedViewSet):
    """Zoho CRM: push persons or a list (Leads or Contacts); the push log (`GET /api/zoho/push-history`)."""

    queryset = ZohoPushLog.objects.select_related("person").order_by("-pushed_at")
    serializer_class = ZohoPushSerializer
    filterset_class = ZohoPushFilter

    @extend_schema(request=ZohoPushRequestSerializer, responses={200: ZohoPushResultSerializer, **OUTSIDE_SERVICE})
    @action(detail=False, methods=["post"], serializer_class=ZohoPushRequestSerializer)
    def push(self, request):
        data = ZohoPushRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            zoho_push.push_persons(
                self.organizer, data.validated_data["person_ids"], data.validated_data["module"], request.user
            )
        )

    @extend_schema(request=ZohoPushListSerializer, responses={200: ZohoPushResultSerializer, **OUTSIDE_SERVICE})
    @action(detail=False, methods=["post"], url_path="push-list", serializer_class=ZohoPushListSerializer)
    def push_list(self, request):
        data = ZohoPushListSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = get_for_organizer_or_404(List.objects, self.organizer, data.validated_data["list_id"], "list")
        person_ids = target.members.values_list("person_id", flat=True)
        return Response(zoho_push.push_persons(self.organizer, person_ids, data.validated_data["module"], request.user))

    @extend_schema(responses=ZohoPushStatusSerializer)
    @action(detail=False, url_path="push-status")
    def push_status(self, request):
        return Response(zoho_push.push_status(self.organizer))
