from rest_framework.routers import SimpleRouter

from persons.api import IntentViewSet, PersonViewSet

router = SimpleRouter(trailing_slash=False)
router.register("persons", PersonViewSet, basename="person")
router.register("intents", IntentViewSet, basename="intent")
urlpatterns = router.urls
