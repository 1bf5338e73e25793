"""Core API: token login and logout, the caller, and the organizer's settings."""

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from liffy.auth import BadCredentials, issue_token, revoke_token
from liffy.fields import mask_secret
from liffy.models import Organizer, User
from liffy.permissions import IsOrganizerMember, IsOwnerOrAdmin
from liffy.services import SECRET_FIELDS, update_organizer_settings
from liffy.tenancy import organizer_of
from liffy.throttling import ClientAddressThrottle


ZOHO_DATACENTERS = ("com", "eu", "in", "com.au", "jp", "ca")


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(help_text="The token stops working at this time (API_TOKEN_TTL_HOURS).")


class TokenView(APIView):
    """Exchange email + password for a new API token (`Authorization: Token <token>`) and its expiry.

    Throttled per client address; repeated failures lock the address out of every password login."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ClientAddressThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token, expiry = issue_token(request, **serializer.validated_data)
        except BadCredentials as exc:  # about the credentials together, in DRF's words for that
            raise ValidationError({"non_field_errors": exc.messages}) from exc
        return Response(TokenResponseSerializer({"token": token, "expiry": expiry}).data)


class LogoutView(APIView):
    """Revoke the token this request carries (or end the browsable API's session)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None:
            revoke_token(request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganizerSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organizer
        fields = ["id", "name", "slug", "timezone"]


class MeSerializer(serializers.ModelSerializer):
    organizer = OrganizerSummarySerializer()

    class Meta:
        model = User
        fields = ["id", "email", "role", "organizer"]


class MeView(APIView):
    permission_classes = [IsOrganizerMember]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class OrganizerSettingsSerializer(serializers.ModelSerializer):
    """Settings as the organizer sees them: secrets are write-only and read back masked."""

    has_sendgrid_key = serializers.SerializerMethodField()
    has_zerobounce_key = serializers.SerializerMethodField()
    has_zoho_credentials = serializers.SerializerMethodField()
    masked_keys = serializers.SerializerMethodField()

    class Meta:
        model = Organizer
        fields = [
            "id",
            "name",
            "slug",
            "logo_url",
            "phone",
            "country",
            "timezone",
            "physical_address",
            "default_from_email",
            "default_from_name",
            "zoho_datacenter",
            "zoho_client_id",
            "sendgrid_webhook_public_key",
            "send_rate_per_second",
            "send_batch_size",
            *SECRET_FIELDS,
            "has_sendgrid_key",
            "has_zerobounce_key",
            "has_zoho_credentials",
            "masked_keys",
        ]
        read_only_fields = ["id", "slug"]
        extra_kwargs = {
            **{field: {"write_only": True, "required": False} for field in SECRET_FIELDS},
            "send_rate_per_second": {"min_value": 1, "max_value": 10_000},
            "send_batch_size": {"min_value": 1, "max_value": 5_000},
        }

    def get_has_sendgrid_key(self, organizer) -> bool:
        return bool(organizer.sendgrid_api_key)

    def get_has_zerobounce_key(self, organizer) -> bool:
        return bool(organizer.zerobounce_api_key)

    def get_has_zoho_credentials(self, organizer) -> bool:
        return bool(organizer.zoho_client_id and organizer.zoho_client_secret and organizer.zoho_refresh_token)

    def get_masked_keys(self, organizer) -> dict[str, str]:
        return {field: mask_secret(getattr(organizer, field)) for field in SECRET_FIELDS}

    def validate_zoho_datacenter(self, value):
        if value not in ZOHO_DATACENTERS:
            raise serializers.ValidationError(f"Choose one of {', '.join(ZOHO_DATACENTERS)}.")
        return value


class OrganizerSettingsView(APIView):
    """Read (every member) and change (owner/admin; API keys owner only) the organizer's settings."""

    def get_permissions(self):
        return [IsOwnerOrAdmin()] if self.request.method == "PATCH" else [IsOrganizerMember()]

    @extend_schema(responses=OrganizerSettingsSerializer)
    def get(self, request):
        return Response(OrganizerSettingsSerializer(organizer_of(request)).data)

    @extend_schema(request=OrganizerSettingsSerializer, responses=OrganizerSettingsSerializer)
    def patch(self, request):
        serializer = OrganizerSettingsSerializer(organizer_of(request), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organizer = update_organizer_settings(organizer_of(request), request.user, serializer.validated_data)
        return Response(OrganizerSettingsSerializer(organizer).data, status=status.HTTP_200_OK)
