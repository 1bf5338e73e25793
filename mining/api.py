"""Mining jobs and results API: thin views over mining.jobs, mining.imports and the models."""

import json

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from liffy.filters import DateTimeFilter, WordSearchFilter
from liffy.parsers import JSONParser, contains_nul
from liffy.search import Words, prefix_query
from liffy.tenancy import FilterBackend, FilterSet, OrganizerScopedViewSet
from mining import imports, jobs
from mining.models import SEARCHED, MiningJob, MiningJobLog, MiningResult

LOGS_SHOWN = 500


class MiningJobLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = MiningJobLog
        fields = ["timestamp", "level", "message", "details"]


class MiningJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = MiningJob
        fields = [
            "id",
            "name",
            "type",
            "input",
            "strategy",
            "config",
            "status",
            "progress",
            "total_found",
            "total_emails_raw",
            "stats",
            "error",
            "created_at",
            "started_at",
            "completed_at",
            "import_status",
            "import_progress",
        ]
        read_only_fields = fields


class MiningJobDetailSerializer(MiningJobSerializer):
    logs = serializers.SerializerMethodField()

    class Meta(MiningJobSerializer.Meta):
        fields = [*MiningJobSerializer.Meta.fields, "logs"]
        read_only_fields = fields

    def get_logs(self, job) -> MiningJobLogSerializer(many=True):
        return MiningJobLogSerializer(job.logs.order_by("timestamp")[:LOGS_SHOWN], many=True).data


class JsonObjectField(serializers.JSONField):
    """A JSON object, also accepted as a JSON string (multipart uploads send text)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError:
                raise serializers.ValidationError("must be a JSON object") from None
        if not isinstance(data, dict) or contains_nul(data):
            raise serializers.ValidationError("must be a JSON object (without null characters)")
        return data


class MiningJobCreateSerializer(serializers.Serializer):
    url = serializers.URLField(required=False, max_length=2048)
    file = serializers.FileField(required=False)
    name = serializers.CharField(required=False, max_length=255)
    strategy = serializers.CharField(required=False, max_length=50)
    config = JsonObjectField(required=False)

    def validate(self, data):
        if bool(data.get("url")) == bool(data.get("file")):
            raise serializers.ValidationError({"url": "Give either a url or a file (CSV or XLSX)."})
        return data


class PushedResultsSerializer(serializers.Serializer):
    results = serializers.ListField(child=serializers.JSONField(), allow_empty=True)
    status = serializers.ChoiceField(choices=sorted(jobs.PUSH_STATUSES), required=False)


class ImportAllSerializer(serializers.Serializer):
    list_id = serializers.UUIDField(required=False)
    list_name = serializers.CharField(required=False, max_length=255)

    def validate(self, data):
        if not data.get("list_id") and not data.get("list_name"):
            raise serializers.ValidationError({"list_id": "Give list_id or list_name."})
        return data


class RejectedRowSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.CharField(), help_text="Field → reason.")


class AggregationSerializer(serializers.Serializer):
    """What the aggregation trigger did (`mode` disabled or shadow: counted, nothing written); empty when
    no row was accepted."""

    mode = serializers.ChoiceField(choices=["persist", "shadow", "disabled"], required=False)
    candidates = serializers.IntegerField(required=False)
    persons_created = serializers.IntegerField(required=False)
    persons_updated = serializers.IntegerField(required=False)
    affiliations_created = serializers.IntegerField(required=False)
    affiliations_enriched = serializers.IntegerField(required=False)
    errors = serializers.ListField(child=serializers.CharField(), required=False)


class PushedResultsReportSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = RejectedRowSerializer(many=True)
    aggregation = AggregationSerializer()
    job_status = serializers.ChoiceField(choices=MiningJob.Status.choices)


class ImportStartedSerializer(serializers.Serializer):
    list_id = serializers.UUIDField()
    progress_url = serializers.URLField()


class ImportProgressDetailSerializer(serializers.Serializer):
    total = serializers.IntegerField(required=False)
    imported = serializers.IntegerField(required=False)
    skipped = serializers.IntegerField(required=False)
    duplicates = serializers.IntegerField(required=False)
    persons_upserted = serializers.IntegerField(required=False)
    affiliations_upserted = serializers.IntegerField(required=False)
    errors = serializers.ListField(child=serializers.CharField(), required=False)
    list_id = serializers.UUIDField(required=False)
    started_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)
    completed_at = serializers.DateTimeField(required=False, allow_null=True)


class ImportProgressSerializer(serializers.Serializer):
    import_status = serializers.ChoiceField(choices=MiningJob.ImportStatus.choices, allow_null=True)
    import_progress = ImportProgressDetailSerializer(allow_null=True)


class MiningJobFilter(FilterSet):
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = MiningJob
        fields = ["status", "type", "import_status"]


class MiningJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizerScopedViewSet):
    """Mining jobs of the caller's organizer: create (URL or file), follow, cancel, retry, push, import."""

    queryset = MiningJob.objects.defer("file_data").order_by("-created_at")
    serializer_class = MiningJobSerializer
    filterset_class = MiningJobFilter
    search_fields = ["name", "input"]
    ordering_fields = ["created_at", "status", "total_found"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return MiningJobDetailSerializer if self.action == "retrieve" else MiningJobSerializer

    @extend_schema(request=MiningJobCreateSerializer, responses={201: MiningJobSerializer})
    def create(self, request):
        data = MiningJobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = jobs.create_mining_job(self.organizer, **data.validated_data)
        job.refresh_from_db()
        return Response(MiningJobSerializer(job).data, status=201)

    @extend_schema(request=None, responses=MiningJobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(MiningJobSerializer(jobs.cancel_mining_job(self.get_object())).data)

    @extend_schema(request=None, responses=MiningJobSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        job = jobs.retry_mining_job(self.get_object())
        job.refresh_from_db()
        return Response(MiningJobSerializer(job).data)

    @extend_schema(request=PushedResultsSerializer, responses=PushedResultsReportSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        job = self.get_object()  # a foreign id is a 404 before anything about the body is said
        data = PushedResultsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(jobs.push_results(job, **data.validated_data))

    @extend_schema(request=ImportAllSerializer, responses={202: ImportStartedSerializer})
    @action(detail=True, methods=["post"], url_path="import-all")
    def import_all(self, request, pk=None):
        job = self.get_object()
        data = ImportAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = imports.start_import_all(job, user=request.user, **data.validated_data)
        progress_url = reverse("mining-job-import-progress", args=[job.pk], request=request)
        return Response(
            {"list_id": target.pk, "progress_url": progress_url}, status=202, headers={"Location": progress_url}
        )

    @extend_schema(responses=ImportProgressSerializer)
    @action(detail=True, methods=["get"], url_path="import-progress")
    def import_progress(self, request, pk=None):
        job = self.get_object()
        return Response({"import_status": job.import_status, "import_progress": job.import_progress})


class MiningResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = MiningResult
        fields = [
            "id",
            "job",
            "source_url",
            "emails",
            "contact_name",
            "company_name",
            "job_title",
            "phone",
            "country",
            "city",
            "address",
            "website",
            "confidence_score",
            "verification_status",
            "status",
            "raw",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MiningResultFilter(FilterSet):
    email = django_filters.CharFilter(method="filter_email", help_text="Results that list this address.")

    class Meta:
        model = MiningResult
        fields = ["job", "status", "country", "verification_status"]

    def filter_email(self, queryset, name, value):
        return queryset.filter(emails__contains=[value.strip().lower()])


class MiningResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizerScopedViewSet):
    queryset = MiningResult.objects.order_by("-created_at", "-id")  # mining_results_org_recent_idx
    serializer_class = MiningResultSerializer
    filterset_class = MiningResultFilter
    filter_backends = [FilterBackend, WordSearchFilter, OrderingFilter]
    search_help = (
        "Results with a word starting with each word of the term in their contact name, company "
        "name, website or source address, any case; words are runs of letters and digits "
        "(`expo.test/hall` is expo, test, hall)."
    )
    ordering_fields = ["created_at", "confidence_score"]

    def search(self, queryset, term):
        words = prefix_query(term)
        if words is None:
            return queryset.none()
        return queryset.alias(words=Words(*SEARCHED)).filter(words=words)
