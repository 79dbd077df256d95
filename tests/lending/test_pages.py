"""The worker pages, the lending history with its CSV export, and how lendings show on the tool pages
and the dashboard, driven through the test client as a browser would."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import Tool
from lending import services
from lending.models import Lending, Worker
from scandy_site.accounts.roles import Role
from scandy_site.core.models import SiteConfiguration
from tests.factories import ConsumableFactory, ToolFactory, UserFactory, WorkerFactory
from tests.factories.inventory import StockMovementFactory
from tests.factories.lending import LendingFactory, backdate
from tests.sheets import csv_rows, xlsx_cells

pytestmark = pytest.mark.django_db

WORKERS = reverse("lending:workers")
HISTORY = reverse("lending:history")
EXPORT = reverse("lending:history-export")
EXPORT_XLSX = reverse("lending:history-export-xlsx")


@pytest.fixture
def pages(english_client_for):
    return english_client_for


@pytest.fixture
def station(pages, plain_user):
    """Someone at the scan station: may lend and look, not manage workers."""
    return pages(plain_user)


@pytest.fixture
def staff(pages, employee):
    return pages(employee)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(response) -> list[str]:
    return re.findall(r'<tr data-barcode="([^"]+)"', html(response))


def lending_rows(response) -> list[tuple[str, str]]:
    """(tool barcode, state) of the history rows, in page order."""
    page = html(response)
    return [
        (re.search(r'cell-sub mono">([^<]+)<', row).group(1), state)
        for state, row in re.findall(r'<tr data-lending="\d+" data-state="(\w+)">(.*?)</tr>', page, re.S)
    ]


def cells(page: str, barcode: str) -> dict[str, str]:
    row = re.search(rf'<tr data-barcode="{re.escape(barcode)}">(.*?)</tr>', page, re.S).group(1)
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in re.findall(
        r'data-testid="([\w-]+)">(.*?)</td>', row, re.S)}  # fmt: skip


# --- Worker list -------------------------------------------------------------------------------


def test_worker_list_shows_the_department_with_open_and_overdue_counts(station, department, other_department):
    ada = WorkerFactory(department=department, barcode="W-ADA", first_name="Ada", last_name="Lovelace")
    WorkerFactory(department=department, barcode="W-BEN", first_name="Ben", last_name="Zuse", active=False)
    WorkerFactory(department=other_department, barcode="W-FREMD")
    LendingFactory(department=department, worker=ada)
    LendingFactory(department=department, worker=ada, overdue_days=3)
    LendingFactory(department=department, worker=ada, returned=True)

    response = station.get(WORKERS)

    assert rows(response) == ["W-ADA", "W-BEN"]
    page = html(response)
    assert cells(page, "W-ADA") == {"open-count": "2", "overdue-count": "1"}
    assert cells(page, "W-BEN") == {"open-count": "0", "overdue-count": "0"}
    assert "Lovelace, Ada" in page and "inactive" in page
    assert "2 workers" in page


def test_worker_list_search_filter_and_a_scanned_card(station, department):
    WorkerFactory(department=department, barcode="W-1", first_name="Ada", last_name="Lovelace", email="ada@x.org")
    WorkerFactory(department=department, barcode="W-10", first_name="Grace", last_name="Hopper", active=False)

    assert rows(station.get(WORKERS, {"q": "hopp"})) == ["W-10"]
    assert rows(station.get(WORKERS, {"q": "ada@x"})) == ["W-1"]
    assert rows(station.get(WORKERS, {"active": "false"})) == ["W-10"]
    assert "No worker matches" in html(station.get(WORKERS, {"q": "nobody"}))
    # A card scanned into the search field and sent with Enter opens that worker.
    scanned = station.get(WORKERS, {"q": "W-1"})
    assert scanned.status_code == 302
    assert scanned["Location"] == reverse("lending:worker-detail", args=["W-1"])
    # The live filter gets the result block only.
    live = station.get(WORKERS, {"q": "W-1"}, headers={"HX-Request": "true"})
    assert "<html" not in html(live)
    assert rows(live) == ["W-10", "W-1"]  # by name: Hopper, Lovelace


def test_worker_list_orders_and_paginates(station, department):
    for number in range(55):
        WorkerFactory(department=department, barcode=f"W-{number:03d}", last_name=f"Name {number:03d}")
    late = Worker.objects.get(barcode="W-054")
    LendingFactory(department=department, worker=late, overdue_days=1)

    first = station.get(WORKERS)
    assert len(rows(first)) == 50 and rows(first)[0] == "W-000"
    assert "Page 1 of 2" in html(first)
    assert rows(station.get(WORKERS, {"page": 2})) == [f"W-{n:03d}" for n in range(50, 55)]
    assert rows(station.get(WORKERS, {"ordering": "-overdue"}))[0] == "W-054"
    assert rows(station.get(WORKERS, {"ordering": "nonsense"}))[0] == "W-000"


def test_worker_list_offers_worker_cards_in_the_stored_label_size(station, department):
    WorkerFactory(department=department, barcode="W-1")
    config = SiteConfiguration.current()
    config.label_width_mm, config.label_height_mm = 85.6, 54
    config.save()

    page = html(station.get(WORKERS))

    form = re.search(r'<form class="label-selection" method="get" action="/labels/".*?</form>', page, re.S).group(0)
    assert '<input type="hidden" name="kind" value="worker">' in form
    assert '<input type="checkbox" name="barcode" value="W-1">' in form
    assert re.search(r'name="width_mm" value="85.6"', form)
    assert re.search(r'name="height_mm" value="54.0"', form)


def test_worker_list_buttons_follow_the_role(station, staff, department):
    WorkerFactory(department=department, barcode="W-1")
    assert 'data-testid="new-worker"' in html(staff.get(WORKERS))
    assert 'data-testid="new-worker"' not in html(station.get(WORKERS))
    detail = reverse("lending:worker-detail", args=["W-1"])
    assert reverse("lending:worker-edit", args=["W-1"]) in html(staff.get(detail))
    assert reverse("lending:worker-edit", args=["W-1"]) not in html(station.get(detail))


def test_all_departments_show_the_department_column(pages, admin_user, department, other_department):
    WorkerFactory(department=department, barcode="W-1")
    WorkerFactory(department=other_department, barcode="W-2")
    page = html(pages(admin_user).get(WORKERS, {"department": "all", "ordering": "barcode"}))
    assert re.findall(r'<tr data-barcode="([^"]+)"', page) == ["W-1", "W-2"]
    assert "Büro" in page and "Werkstatt" in page


def test_worker_list_query_count_does_not_grow(station, department, django_assert_max_num_queries):
    for number in range(60):
        worker = WorkerFactory(department=department, barcode=f"W-{number:03d}")
        if number % 3 == 0:
            LendingFactory(department=department, worker=worker, overdue_days=number % 2)
    station.get(WORKERS)  # warm the per-process caches

    # session, user, allowed departments, site configuration, count, one page of workers with their counts
    with django_assert_max_num_queries(7):  # one of them: where live updates start
        response = station.get(WORKERS)
    assert len(rows(response)) == 50


# --- Worker detail -----------------------------------------------------------------------------


def test_worker_detail_shows_open_overdue_past_lendings_and_issues(station, plain_user, department):
    worker = WorkerFactory(department=department, barcode="W-1", first_name="Ada", last_name="Lovelace")
    LendingFactory(department=department, worker=worker, tool=ToolFactory(department=department, barcode="T-OPEN"))
    LendingFactory(
        department=department, worker=worker, tool=ToolFactory(department=department, barcode="T-LATE"), overdue_days=4
    )
    LendingFactory(
        department=department, worker=worker, tool=ToolFactory(department=department, barcode="T-BACK"), returned=True
    )
    consumable = ConsumableFactory(department=department, barcode="C-1", name="Kabelbinder", unit="Stk")
    services.consumable_issue(consumable=consumable, worker=worker, user=plain_user, quantity=3)

    page = html(station.get(reverse("lending:worker-detail", args=["W-1"])))

    open_block = page.split('data-testid="open-lendings"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<li data-barcode="([^"]+)"', open_block) == ["T-LATE", "T-OPEN"]  # most overdue first
    assert re.search(r'<li data-barcode="T-LATE" data-overdue>', open_block)
    assert "4 days overdue" in open_block
    assert 'data-barcode="T-OPEN" data-overdue' not in open_block
    past = page.split('data-testid="past-lendings"', 1)[1].split("</table>", 1)[0]
    assert "T-BACK" in past and "T-OPEN" not in past
    issued = page.split('data-testid="issued"', 1)[1].split("</ul>", 1)[0]
    assert "Kabelbinder" in issued and "-3 Stk" in issued
    assert 'href="/labels/?kind=worker&amp;barcode=W-1"' in page
    assert f'href="{HISTORY}?worker=W-1"' in page


def test_worker_of_another_department_is_not_found(station, department, other_department):
    WorkerFactory(department=other_department, barcode="W-FREMD")
    assert station.get(reverse("lending:worker-detail", args=["W-FREMD"])).status_code == 404
    assert station.get(reverse("lending:worker-detail", args=["NOBODY"])).status_code == 404


def test_worker_detail_query_count(station, plain_user, department, django_assert_max_num_queries):
    worker = WorkerFactory(department=department, barcode="W-1")
    for number in range(5):
        clerk = UserFactory(username=f"clerk-{number}", default_department=department)  # a name per row to show
        LendingFactory(department=department, worker=worker, lent_by=clerk)
        LendingFactory(department=department, worker=worker, lent_by=clerk, returned=True)
        StockMovementFactory(consumable=ConsumableFactory(department=department), worker=worker, delta=-1)
    url = reverse("lending:worker-detail", args=["W-1"])
    station.get(url)

    # session, user, departments, site configuration, the worker, open lendings, past lendings, issues, files
    with django_assert_max_num_queries(10):  # one of them: where live updates start
        html(station.get(url))


# --- Managing workers --------------------------------------------------------------------------


def test_staff_create_a_worker_through_the_service(staff, employee, department):
    response = staff.post(
        reverse("lending:worker-create"),
        {"barcode": "W-NEW", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "active": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("lending:worker-detail", args=["W-NEW"])
    worker = Worker.objects.get(barcode="W-NEW")
    assert (worker.department, worker.created_by, worker.active) == (department, employee, True)
    # Through the service: the barcode is registered, so a tool cannot take it any more.
    clash = staff.post(
        reverse("lending:worker-create"), {"barcode": "W-NEW", "first_name": "B", "last_name": "C", "active": "on"}
    )
    assert "already used in this department" in html(clash)
    assert Worker.objects.filter(barcode="W-NEW").count() == 1


def test_worker_form_shows_field_errors(staff, department):
    page = html(staff.post(reverse("lending:worker-create"), {"barcode": "bad barcode!", "first_name": ""}))
    assert 'data-testid="form-errors"' in page
    assert "This field is required." in page
    assert not Worker.objects.exists()


def test_staff_edit_a_worker(staff, department):
    WorkerFactory(department=department, barcode="W-1", first_name="Ada", last_name="Lovelace")
    edit = reverse("lending:worker-edit", args=["W-1"])
    assert 'value="Lovelace"' in html(staff.get(edit))

    response = staff.post(edit, {"barcode": "W-2", "first_name": "Ada", "last_name": "King", "email": ""})

    assert response["Location"] == reverse("lending:worker-detail", args=["W-2"])
    worker = Worker.objects.get()
    assert (worker.barcode, worker.last_name, worker.active) == ("W-2", "King", False)


def test_a_worker_with_tools_on_loan_stays(staff, department):
    worker = WorkerFactory(department=department, barcode="W-1")
    lending = LendingFactory(department=department, worker=worker)
    delete = reverse("lending:worker-delete", args=["W-1"])
    assert "Move to trash?" in html(staff.get(delete))

    refused = staff.post(delete, follow=True)
    assert "still has tools on loan" in html(refused)
    assert Worker.objects.alive().filter(pk=worker.pk).exists()

    services.lending_return(tool=lending.tool, user=None)
    done = staff.post(delete)
    assert done["Location"] == WORKERS
    assert not Worker.objects.alive().filter(pk=worker.pk).exists()


def test_creating_with_all_departments_asks_for_one(pages, admin_user, department, other_department):
    page = html(pages(admin_user).get(reverse("lending:worker-create"), {"department": "all"}))
    assert 'data-testid="choose-department"' in page


# --- Lending history ---------------------------------------------------------------------------


@pytest.fixture
def history(department, other_department):
    """Four lendings of the department (open, overdue, returned, returned last year) and one elsewhere."""
    ada = WorkerFactory(department=department, barcode="W-ADA", first_name="Ada", last_name="Lovelace")
    ben = WorkerFactory(department=department, barcode="W-BEN", first_name="Ben", last_name="Zuse")
    tool = ToolFactory(department=department, barcode="T-1", name="Bohrhammer")
    LendingFactory(tool=tool, worker=ada, returned=True)
    old = LendingFactory(tool=ToolFactory(department=department, barcode="T-OLD", name="Leiter"), worker=ben)
    services.lending_return(tool=old.tool, user=None)
    Lending.objects.filter(pk=old.pk).update(
        lent_at=timezone.now() - datetime.timedelta(days=400), returned_at=timezone.now() - datetime.timedelta(days=390)
    )
    LendingFactory(tool=ToolFactory(department=department, barcode="T-LATE", name="Flex"), worker=ben, overdue_days=2)
    LendingFactory(tool=tool, worker=ben)
    LendingFactory(department=other_department)


def test_history_lists_the_department_newest_first(station, history):
    response = station.get(HISTORY)
    assert lending_rows(response) == [
        ("T-1", "open"),
        ("T-1", "returned"),
        ("T-LATE", "overdue"),
        ("T-OLD", "returned"),
    ]
    assert "4 lendings" in html(response)
    assert "2 days overdue" in html(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "open"}, ["T-1", "T-LATE"]),
        ({"state": "overdue"}, ["T-LATE"]),
        ({"state": "returned"}, ["T-1", "T-OLD"]),
        ({"tool": "T-1"}, ["T-1", "T-1"]),
        ({"worker": "W-ADA"}, ["T-1"]),
        ({"q": "flex"}, ["T-LATE"]),
        ({"q": "zuse"}, ["T-1", "T-LATE", "T-OLD"]),
        ({"until": "2020-01-01"}, []),
        ({"since": (timezone.localdate() - datetime.timedelta(days=30)).isoformat()}, ["T-1", "T-1", "T-LATE"]),
        ({"until": (timezone.localdate() - datetime.timedelta(days=300)).isoformat()}, ["T-OLD"]),
        ({"worker": "W-BEN", "state": "returned"}, ["T-OLD"]),
    ],
)
def test_history_filters(station, history, query, expected):
    assert [tool for tool, _state in lending_rows(station.get(HISTORY, query))] == expected


def test_history_ignores_and_names_a_filter_it_cannot_read(station, history):
    page = html(station.get(HISTORY, {"since": "2024-13-45", "state": "sideways"}))
    assert len(lending_rows(station.get(HISTORY, {"since": "2024-13-45"}))) == 4
    assert "Lent from: Enter a valid date." in page
    assert "State: Select a valid choice." in page


def test_history_sorts_and_paginates(station, department):
    worker = WorkerFactory(department=department)
    for number in range(52):
        LendingFactory(tool=ToolFactory(department=department, barcode=f"T-{number:02d}"), worker=worker)
    first = station.get(HISTORY)
    assert len(lending_rows(first)) == 50 and lending_rows(first)[0][0] == "T-51"
    assert [tool for tool, _s in lending_rows(station.get(HISTORY, {"page": 2}))] == ["T-01", "T-00"]
    assert lending_rows(station.get(HISTORY, {"ordering": "lent"}))[0][0] == "T-00"


def test_history_links_the_csv_export_with_the_same_filters(station, history):
    page = html(station.get(HISTORY, {"state": "open", "worker": "W-BEN", "page": "1"}))
    assert f'href="{EXPORT}?state=open&amp;worker=W-BEN"' in page
    assert f'href="{EXPORT_XLSX}?state=open&amp;worker=W-BEN"' in page
    live = html(station.get(HISTORY, {"q": "flex"}, headers={"HX-Request": "true"}))
    assert "<html" not in live and f'href="{EXPORT}?q=flex"' in live


def test_history_query_count_does_not_grow(station, department, django_assert_max_num_queries):
    worker = WorkerFactory(department=department)
    for number in range(60):
        clerk = UserFactory(username=f"clerk-{number}", default_department=department)
        LendingFactory(tool=ToolFactory(department=department), worker=worker, lent_by=clerk, returned=number % 2 == 0)
    station.get(HISTORY)

    # session, user, departments, site configuration, count, one page of lendings with tool/worker/users
    with django_assert_max_num_queries(7):  # one of them: where live updates start
        assert len(lending_rows(station.get(HISTORY))) == 50


# --- CSV export --------------------------------------------------------------------------------


def test_csv_export_has_the_lendings_with_the_same_format_as_the_inventory_export(station, employee, department):
    ada = WorkerFactory(department=department, barcode="W-ADA", first_name="Ada", last_name="Lovelace")
    tool = ToolFactory(department=department, barcode="T-1", name='=HYPERLINK("x")')
    lending = LendingFactory(tool=tool, worker=ada, lent_by=employee, notes="+Akku laden", overdue_days=1)

    response = station.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="lendings-werkstatt-{timezone.localdate().isoformat()}.csv"' in response["Content-Disposition"]
    (row,) = csv_rows(response)
    lent_at = timezone.localtime(lending.lent_at).isoformat(timespec="seconds")
    assert row == {
        "tool_barcode": "T-1", "tool_name": "'=HYPERLINK(\"x\")", "worker_barcode": "W-ADA",
        "worker_name": "Ada Lovelace", "lent_at": lent_at, "due_date": lending.due_date.isoformat(),
        "returned_at": "", "overdue": "yes", "lent_by": "employee", "returned_by": "", "notes": "'+Akku laden",
        "department": "werkstatt",
    }  # fmt: skip


def test_xlsx_export_has_typed_cells(station, employee, department):
    ada = WorkerFactory(department=department, barcode="W-ADA", first_name="Ada", last_name="Lovelace")
    lending = LendingFactory(
        tool=ToolFactory(department=department, barcode="T-1", name="=1+1"), worker=ada, overdue_days=1
    )
    response = station.get(EXPORT_XLSX, {"worker": "W-ADA"})
    assert f'filename="lendings-werkstatt-{timezone.localdate().isoformat()}.xlsx"' in response["Content-Disposition"]
    header, (row,) = xlsx_cells(response)
    cells = dict(zip(header, row, strict=True))
    assert cells["lent_at"].value == timezone.localtime(lending.lent_at).replace(tzinfo=None, microsecond=0)
    assert cells["due_date"].is_date and cells["returned_at"].value is None
    assert cells["overdue"].value is True
    assert (cells["tool_name"].value, cells["tool_name"].data_type) == ("=1+1", "s")


def test_csv_export_takes_the_page_filters(station, history):
    assert [r["tool_barcode"] for r in csv_rows(station.get(EXPORT))] == ["T-1", "T-1", "T-LATE", "T-OLD"]
    overdue = csv_rows(station.get(EXPORT, {"state": "overdue"}))
    assert [(r["tool_barcode"], r["overdue"]) for r in overdue] == [("T-LATE", "yes")]
    assert [r["tool_barcode"] for r in csv_rows(station.get(EXPORT, {"worker": "W-ADA"}))] == ["T-1"]
    assert csv_rows(station.get(EXPORT, {"until": "2000-01-01"})) == []


def test_csv_export_query_count_does_not_grow(station, department, django_assert_max_num_queries):
    worker = WorkerFactory(department=department)
    for _n in range(30):
        LendingFactory(tool=ToolFactory(department=department), worker=worker, returned=True)
    station.get(EXPORT)

    # session, user, departments, then one query for all rows (streamed in chunks)
    with django_assert_max_num_queries(4):
        assert len(csv_rows(station.get(EXPORT))) == 30


# --- Lendings on the tool pages and the dashboard ----------------------------------------------


def test_tool_list_shows_the_borrower_and_overdue(station, department):
    ada = WorkerFactory(department=department, first_name="Ada", last_name="Lovelace")
    LendingFactory(tool=ToolFactory(department=department, barcode="T-LENT"), worker=ada)
    LendingFactory(tool=ToolFactory(department=department, barcode="T-LATE"), worker=ada, overdue_days=5)
    ToolFactory(department=department, barcode="T-FREE")

    page = html(station.get(reverse("inventory:tools")))

    def status_cell(barcode):
        row = re.search(rf'<tr data-barcode="{barcode}">(.*?)</tr>', page, re.S).group(1)
        return row.split('data-label="Status"', 1)[1]

    assert "Ada Lovelace, due" in status_cell("T-LENT") and 'data-testid="overdue"' not in status_cell("T-LENT")
    assert "Ada Lovelace" in status_cell("T-LATE") and 'data-testid="overdue"' in status_cell("T-LATE")
    assert 'data-testid="borrower"' not in status_cell("T-FREE")


def test_tool_list_with_lendings_keeps_its_query_count(station, department, django_assert_max_num_queries):
    worker = WorkerFactory(department=department)
    for number in range(60):
        tool = ToolFactory(department=department, barcode=f"T-{number:03d}")
        if number % 2:
            LendingFactory(tool=tool, worker=worker, overdue_days=number % 3)
    station.get(reverse("inventory:tools"))

    # as without lendings (see tests/inventory/test_pages.py): one query for the open lendings of the page
    with django_assert_max_num_queries(10):  # one of them: where live updates start
        page = html(station.get(reverse("inventory:tools")))
    assert page.count('data-testid="borrower"') == 25


def test_tool_detail_shows_the_current_borrower_and_the_lending_history(station, department):
    ada = WorkerFactory(department=department, barcode="W-ADA", first_name="Ada", last_name="Lovelace")
    ben = WorkerFactory(department=department, barcode="W-BEN", first_name="Ben", last_name="Zuse")
    tool = ToolFactory(department=department, barcode="T-1")
    earlier = LendingFactory(tool=tool, worker=ben, returned=True)
    Lending.objects.filter(pk=earlier.pk).update(
        lent_at=timezone.now() - datetime.timedelta(days=30), returned_at=timezone.now() - datetime.timedelta(days=25)
    )
    LendingFactory(tool=tool, worker=ada, overdue_days=2)

    page = html(station.get(reverse("inventory:tool-detail", args=["T-1"])))

    borrower = page.split('data-testid="current-borrower"', 1)[1].split("</p>", 1)[0]
    assert f'<a href="{reverse("lending:worker-detail", args=["W-ADA"])}">Ada Lovelace</a>' in borrower
    assert "overdue" in borrower
    table = page.split('data-testid="lending-history"', 1)[1].split("</table>", 1)[0]
    assert table.index("Ada Lovelace") < table.index("Ben Zuse")
    assert "still lent" in table


def test_tool_never_lent_says_so(station, department):
    ToolFactory(department=department, barcode="T-1")
    page = html(station.get(reverse("inventory:tool-detail", args=["T-1"])))
    assert "This tool has not been lent yet." in page
    assert 'data-testid="current-borrower"' not in page


def test_dashboard_shows_overdue_tools(station, department, other_department):
    ada = WorkerFactory(department=department, first_name="Ada", last_name="Lovelace")
    LendingFactory(tool=ToolFactory(department=department, name="Flex"), worker=ada, overdue_days=3)
    LendingFactory(tool=ToolFactory(department=department, name="Leiter"), worker=ada)
    LendingFactory(department=other_department, overdue_days=9)

    page = html(station.get("/"))

    stat = page.split('data-testid="overdue-stat"', 1)[1].split("</a>", 1)[0]
    assert '<span class="stat__value">1</span>' in stat
    card = page.split('data-testid="overdue"', 1)[1].split("</section>", 1)[0]
    assert "Flex" in card and "Ada Lovelace" in card and "3 days" in card
    assert "Leiter" not in card


def test_dashboard_without_overdue_tools_says_all_is_well(station, department):
    LendingFactory(department=department)
    card = html(station.get("/")).split('data-testid="overdue"', 1)[1].split("</section>", 1)[0]
    assert "Every lent tool is within its due date." in card


def test_dashboard_lists_the_longest_overdue_first_and_links_to_all(station, department):
    worker = WorkerFactory(department=department)
    for days in range(1, 11):
        LendingFactory(tool=ToolFactory(department=department, name=f"Werkzeug {days:02d}"), worker=worker,
                       overdue_days=days)  # fmt: skip
    card = html(station.get("/")).split('data-testid="overdue"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r"Werkzeug (\d+)", card)
    assert names == ["10", "09", "08", "07", "06", "05", "04", "03"]
    assert f'href="{HISTORY}?state=overdue">Show all 10' in card


def test_backdating_helper_keeps_lent_before_due(department):
    lending = backdate(LendingFactory(department=department), days_overdue=3)
    lending.refresh_from_db()
    assert lending.is_overdue and lending.days_overdue == 3
    assert timezone.localdate(lending.lent_at) < lending.due_date
    assert Tool.objects.get(pk=lending.tool_id).status == Tool.Status.LENT


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE, Role.USER])
def test_lending_navigation_for_everyone_who_may_lend(pages, make_user, role):
    page = html(pages(make_user(role, username=f"nav-{role}")).get("/"))
    nav = page.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert all(href in nav for href in ('href="/quickscan/"', f'href="{WORKERS}"', f'href="{HISTORY}"'))


def test_participants_see_no_lending_navigation(pages, participant):
    page = html(pages(participant).get("/"))
    assert "/quickscan/" not in page and WORKERS not in page and HISTORY not in page


def test_tool_detail_query_count_does_not_grow_with_its_lendings(station, department):
    tool = ToolFactory(department=department, barcode="T-1")
    worker = WorkerFactory(department=department)

    def lend_some(count):
        for number in range(count):
            clerk = UserFactory(username=f"clerk-{Lending.objects.count()}", default_department=department)
            LendingFactory(tool=tool, worker=worker, lent_by=clerk, returned=number < count - 1 or count == 1)

    url = reverse("inventory:tool-detail", args=["T-1"])
    lend_some(2)
    station.get(url)
    with CaptureQueriesContext(connection) as few:
        html(station.get(url))
    services.lending_return(tool=tool, user=None)
    lend_some(15)
    station.get(url)  # new users reset the cached setup check
    with CaptureQueriesContext(connection) as many:
        page = html(station.get(url))
    assert page.count("data-lending=") == 17
    assert len(many) == len(few)
