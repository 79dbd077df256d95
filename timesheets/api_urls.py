from rest_framework.routers import SimpleRouter

from .api import TimesheetViewSet

router = SimpleRouter(trailing_slash=False)
router.register("timesheets", TimesheetViewSet, basename="timesheet")
urlpatterns = router.urls
