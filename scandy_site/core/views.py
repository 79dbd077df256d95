import math

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inventory import selectors as inventory_selectors
from lending import selectors as lending_selectors

from .errors import ApplicationError
from .forms import SetupForm
from .services import setup_initial_instance
from .setup_state import setup_complete


@require_http_methods(["GET", "POST"])
def setup_wizard(request):
    """`/setup/`: only while no admin exists. Creates the first admin; there is never a default password."""
    if setup_complete():
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            admin = setup_initial_instance(**form.service_kwargs())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
            name = form.cleaned_data["system_name"].strip()
            messages.success(request, _("Welcome! %(name)s is ready to use.") % {"name": name})
            return redirect("dashboard")
    return render(request, "core/setup.html", {"form": form})


# Geometry of the usage chart (SVG user units; the SVG scales to the card width).
CHART_WIDTH, CHART_HEIGHT = 700, 220
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 40, 8, 18, 44


def _nice_ceiling(value: int) -> int:
    """The next 1/2/5 × 10^n at or above `value`, so the axis shows round numbers."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if value <= step * magnitude)


def usage_chart(usage: list[tuple]) -> dict:
    """Bars for units used per day, laid out on the server: the page needs no chart library or script."""
    top = _nice_ceiling(max((used for _day, used in usage), default=0))
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / max(len(usage), 1)
    bar_width = round(slot * 0.64, 1)
    bars = []
    for index, (day, used) in enumerate(usage):
        height = round(plot_height * used / top, 1)
        x = round(CHART_LEFT + index * slot + (slot - bar_width) / 2, 1)
        bars.append(
            {
                "day": day,
                "used": used,
                "x": x,
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": bar_width,
                "height": height,
                "center": round(x + bar_width / 2, 1),
                "weekend": day.weekday() >= 5,
            }
        )
    grid = [
        {"value": int(value), "y": round(CHART_TOP + plot_height - plot_height * value / top, 1)}
        for value in (0, top / 2, top)
        if value == int(value)
    ]
    return {
        "bars": bars,
        "grid": grid,
        "total": sum(used for _day, used in usage),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "weekday_y": CHART_HEIGHT - 24,
        "date_y": CHART_HEIGHT - 6,
    }


# How many overdue lendings the dashboard lists (the lending history has them all).
DASHBOARD_OVERDUE_LIMIT = 8


@login_required
def dashboard(request):
    scope = request.department_scope
    context = {"scope": scope, "today": timezone.localdate(), "overdue": None}
    if scope and request.user.can("inventory.view"):
        department = scope.department
        context["stats"] = inventory_selectors.dashboard_stats(department=department)
        context["below_min"] = list(inventory_selectors.consumables_below_min(department=department)[:10])
        context["usage_chart"] = usage_chart(inventory_selectors.stock_use_by_day(department=department))
    if scope and request.user.can("lending.use"):
        context["overdue_count"], context["overdue"] = lending_selectors.overdue_summary(
            department=scope.department, limit=DASHBOARD_OVERDUE_LIMIT
        )
    return render(request, "core/dashboard.html", context)
