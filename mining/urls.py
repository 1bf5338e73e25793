from rest_framework.routers import SimpleRouter

from mining.api import MiningJobViewSet, MiningResultViewSet

router = SimpleRouter(trailing_slash=False)
router.register("mining/jobs", MiningJobViewSet, basename="mining-job")
router.register("mining/results", MiningResultViewSet, basename="mining-result")
urlpatterns = router.urls
