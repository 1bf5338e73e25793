"""`POST /api/webhooks/sendgrid`: public, authenticated by SendGrid's signature instead of a user."""

import json

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.webhook import ingest
from campaigns.webhook_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, BadSignature, verify_request
from liffy.schema import ErrorSerializer
from liffy.throttling import ClientAddressThrottle


class RejectedEventSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    error = serializers.CharField()


class WebhookReportSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    ignored = serializers.IntegerField()
    unknown_recipient = serializers.IntegerField()
    rejected = RejectedEventSerializer(many=True)


class SendGridWebhookView(APIView):
    """SendGrid event batches. 403 (nothing stored) unless signed by a configured key; 400 unless a JSON
    array; otherwise 200 with what was stored, and every bad event reported by index."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle]
    throttle_scope = "webhook"

    @extend_schema(
        request={"application/json": {"type": "array", "items": {"type": "object"}}},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Base64 ECDSA signature of the timestamp and the raw body.",
            ),
            OpenApiParameter(TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True),
        ],
        responses={200: WebhookReportSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 413: ErrorSerializer},
    )
    def post(self, request):
        # The raw bytes are what SendGrid signed; read from the stream, with a limit of our own, because
        # batches can outgrow Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
        body = request.read(settings.SENDGRID_WEBHOOK_MAX_BYTES + 1)
        if len(body) > settings.SENDGRID_WEBHOOK_MAX_BYTES:
            return Response({"detail": "The batch is too large."}, status=413)
        try:
            signer = verify_request(body, request.headers.get(SIGNATURE_HEADER), request.headers.get(TIMESTAMP_HEADER))
        except BadSignature as problem:
            return Response({"detail": f"Signature check failed: {problem}."}, status=403)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return Response({"detail": "The body is not JSON."}, status=400)
        if not isinstance(payload, list):
            return Response({"detail": "The body must be a JSON array of events."}, status=400)
        return Response(ingest(payload, signer))
