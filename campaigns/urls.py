from django.urls import path
from rest_framework.routers import SimpleRouter

from campaigns.api import AnalyticsOverviewView, CampaignViewSet, EventViewSet, SenderViewSet, TemplateViewSet

router = SimpleRouter(trailing_slash=False)
router.register("templates", TemplateViewSet, basename="template")
router.register("senders", SenderViewSet, basename="sender")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("events", EventViewSet, basename="event")
urlpatterns = [
    path("analytics/overview", AnalyticsOverviewView.as_view(), name="analytics-overview"),
    *router.urls,
]
