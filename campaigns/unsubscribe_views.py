"""The public unsubscribe page: GET asks (and writes nothing), POST unsubscribes (also RFC 8058 one-click)."""

from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.unsubscribe import InvalidLink, read_token, record_unsubscribe
from liffy.models import Organizer
from liffy.throttling import ClientAddressThrottle

TEMPLATE = "campaigns/unsubscribe.html"


class UnsubscribeView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle]
    throttle_scope = "unsubscribe"
    renderer_classes = [TemplateHTMLRenderer]
    schema = None

    def _page(self, token, *, write):
        try:
            request = read_token(token)
        except InvalidLink as problem:
            return Response({"error": str(problem)}, status=400, template_name=TEMPLATE)
        organizer = Organizer.objects.filter(pk=request.organizer_id).values_list("name", flat=True).first()
        if organizer is None:
            return Response({"error": "This unsubscribe link is not valid."}, status=400, template_name=TEMPLATE)
        if write:
            record_unsubscribe(request)
        return Response({"email": request.email, "organizer": organizer, "done": write}, template_name=TEMPLATE)

    def get(self, request, token):
        return self._page(token, write=False)

    def post(self, request, token):
        return self._page(token, write=True)
