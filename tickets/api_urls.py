from rest_framework.routers import SimpleRouter

from .api import TicketViewSet

router = SimpleRouter(trailing_slash=False)
router.register("tickets", TicketViewSet, basename="ticket")
urlpatterns = router.urls
