from rest_framework.routers import SimpleRouter

from legacy.api import ListViewSet

router = SimpleRouter(trailing_slash=False)
router.register("lists", ListViewSet, basename="list")
urlpatterns = router.urls
