from django.urls import path
from rest_framework.routers import SimpleRouter

from persons.api import IntentViewSet, PersonViewSet, VerificationViewSet, ZohoViewSet

router = SimpleRouter(trailing_slash=False)
router.register("persons", PersonViewSet, basename="person")
router.register("intents", IntentViewSet, basename="intent")
router.register("verification", VerificationViewSet, basename="verification")
router.register("zoho", ZohoViewSet, basename="zoho")
urlpatterns = [
    path("zoho/push-history", ZohoViewSet.as_view({"get": "list"}), name="zoho-push-history"),
    *router.urls,
]
