"""Lists API: CRUD, members, CSV upload and export. Thin views over legacy.lists and legacy.csv_import."""

from django.db.models import Count
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from legacy import lists
from legacy.csv_import import start_csv_import
from legacy.models import List
from liffy.tenancy import OrganizerScopedViewSet, get_for_organizer_or_404
from persons.api import PersonSerializer


class ListSerializer(serializers.ModelSerializer):
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = List
        fields = [
            "id",
            "name",
            "description",
            "type",
            "member_count",
            "import_status",
            "import_progress",
            "created_by_user",
            "created_at",
        ]
        read_only_fields = ["id", "member_count", "import_status", "import_progress", "created_by_user", "created_at"]

    def get_member_count(self, target) -> int:
        """Annotated on the view's queryset; counted for a list just created."""
        count = getattr(target, "member_count", None)
        return target.members.count() if count is None else count


class MembersRequestSerializer(serializers.Serializer):
    person_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=10_000)
    emails = serializers.ListField(
        child=serializers.CharField(max_length=320), required=False, default=list, max_length=10_000
    )

    def validate(self, data):
        if not data["person_ids"] and not data["emails"]:
            raise serializers.ValidationError("Give person_ids or emails.")
        return data


class RemoveMembersSerializer(serializers.Serializer):
    person_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=10_000)


class MembersAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already_members = serializers.IntegerField()


class MembersRemovedSerializer(serializers.Serializer):
    removed = serializers.IntegerField()


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=255, required=False)
    list_id = serializers.UUIDField(required=False, help_text="Import into this list instead of a new one.")
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, default=list)


class ListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrganizerScopedViewSet,
):
    """Lists of persons: campaign targets. Deleting a list removes its memberships; persons stay."""

    queryset = List.objects.order_by("-created_at")
    serializer_class = ListSerializer
    filterset_fields = ["type", "import_status"]
    search_fields = ["name", "description"]
    ordering_fields = ["created_at", "name"]

    def get_queryset(self):
        if self.action in ("members", "export", "destroy"):  # no list in the answer: no count of its members
            return super().get_queryset()
        return super().get_queryset().annotate(member_count=Count("members"))

    def perform_create(self, serializer):
        serializer.save(
            organizer=self.organizer,
            created_by_user=self.request.user,
            type=serializer.validated_data.get("type") or List.Type.MANUAL,
        )

    @extend_schema(methods=["GET"], responses=PersonSerializer(many=True))
    @extend_schema(methods=["POST"], request=MembersRequestSerializer, responses=MembersAddedSerializer)
    @extend_schema(methods=["DELETE"], request=RemoveMembersSerializer, responses={200: MembersRemovedSerializer})
    @action(detail=True, methods=["get", "post", "delete"], filter_backends=[])
    def members(self, request, pk=None):
        """GET: members (person, latest affiliation, verification status), paginated. POST: add by
        person_ids and/or emails. DELETE: remove person_ids."""
        target = self.get_object()
        if request.method == "GET":
            # newest member first, served by list_members_list_order_idx (and followed by its cursors)
            page = self.paginate_queryset(
                lists.members(target).order_by("-list_memberships__created_at", "-list_memberships__person_id")
            )
            return self.get_paginated_response(PersonSerializer(page, many=True).data)
        if request.method == "POST":
            data = MembersRequestSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            return Response(lists.add_members_by_reference(target, **data.validated_data))
        data = RemoveMembersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"removed": lists.remove_members(target, data.validated_data["person_ids"])})

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True)
    def export(self, request, pk=None):
        target = self.get_object()
        response = HttpResponse(lists.export_csv(target), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="list-{target.pk}.csv"'
        return response

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: ListSerializer, 202: ListSerializer}
    )
    @action(
        detail=False, methods=["post"], url_path="upload-csv", parser_classes=[MultiPartParser, FormParser, JSONParser]
    )
    def upload_csv(self, request):
        """A CSV or XLSX file into a new list (or `list_id`). Under CSV_INLINE_ROWS rows: imported now (201
        with the report); otherwise in the background (202; poll the list's import_progress). A malformed
        file is a 400 naming the problem; a body over UPLOAD_MAX_BYTES a 413."""
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        target = (
            get_for_organizer_or_404(List.objects, self.organizer, values["list_id"], "list")
            if values.get("list_id")
            else None
        )
        target, _progress, inline = start_csv_import(
            self.organizer, request.user, values["file"], name=values.get("name"), target=target, tags=values["tags"]
        )
        body = ListSerializer(self.get_queryset().get(pk=target.pk)).data
        return Response(body, status=201 if inline else 202)
