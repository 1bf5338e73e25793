from rest_framework.routers import SimpleRouter

from campaigns.api import CampaignViewSet, SenderViewSet, TemplateViewSet

router = SimpleRouter(trailing_slash=False)
router.register("templates", TemplateViewSet, basename="template")
router.register("senders", SenderViewSet, basename="sender")
router.register("campaigns", CampaignViewSet, basename="campaign")
urlpatterns = router.urls
