from rest_framework.routers import SimpleRouter

from .api import ConsumableViewSet, ToolViewSet

router = SimpleRouter(trailing_slash=False)
router.register("tools", ToolViewSet, basename="tool")
router.register("consumables", ConsumableViewSet, basename="consumable")
urlpatterns = router.urls
