"""The lending back office: lendings made and ended through the services, overdue at a glance, label sheets
from the admin lists."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from inventory.models import Tool
from lending.models import Lending
from lending.services import lending_send_overdue_reminders
from scandy_site.core.models import ChangeEvent, SiteConfiguration
from tests.admin_helpers import form_data, messages_of, post_action
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.factories.lending import LendingFactory

pytestmark = pytest.mark.django_db

LENDINGS = "/admin/lending/lending/"


@pytest.fixture
def admin_client(english_client_for, admin_user):
    return english_client_for(admin_user)


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


# --- The lending list ----------------------------------------------------------------------------


def test_lending_list_shows_overdue_and_filters_by_state(admin_client, department):
    LendingFactory(department=department, tool=ToolFactory(department=department, name="Offen"))
    LendingFactory(department=department, tool=ToolFactory(department=department, name="Spät"), overdue_days=2)
    LendingFactory(department=department, tool=ToolFactory(department=department, name="Zurück"), returned=True)

    def shown(**query):
        response = admin_client.get(LENDINGS, query)
        assert response.status_code == 200
        return sorted(lending.tool.name for lending in response.context["cl"].result_list)

    assert shown() == ["Offen", "Spät", "Zurück"]
    assert shown(state="open") == ["Offen", "Spät"]
    assert shown(state="overdue") == ["Spät"]
    assert shown(state="returned") == ["Zurück"]
    assert shown(q="spä") == ["Spät"]
    page = admin_client.get(LENDINGS).content.decode()
    assert "column-overdue" in page
    assert page.count('alt="True"') == 1  # one overdue tick


def test_employee_sees_only_lendings_of_own_departments(page_client_for, admin_user, employee, department,
                                                        other_department):  # fmt: skip
    LendingFactory(department=department, tool=ToolFactory(department=department, name="Hier"))
    LendingFactory(department=other_department, tool=ToolFactory(department=other_department, name="Dort"))
    response = page_client_for(employee).get(LENDINGS)
    assert [lending.tool.name for lending in response.context["cl"].result_list] == ["Hier"]


def test_plain_users_have_no_back_office(page_client_for, admin_user, plain_user):
    response = page_client_for(plain_user).get(LENDINGS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_return_selected_goes_through_the_service(admin_client, admin_user, department):
    open_lending = LendingFactory(department=department, overdue_days=1)
    done = LendingFactory(department=department, returned=True)
    returned_at = done.returned_at

    response = post_action(admin_client, LENDINGS, "return_selected", [open_lending, done])

    assert response.status_code == 302
    open_lending.refresh_from_db()
    done.refresh_from_db()
    assert open_lending.returned_by == admin_user and open_lending.returned_at is not None
    assert done.returned_at == returned_at  # already back: left alone
    assert Tool.objects.get(pk=open_lending.tool_id).status == Tool.Status.AVAILABLE
    assert ChangeEvent.objects.filter(entity="lending", object_id=open_lending.pk, action="updated").exists()
    assert any("Returned: 1 lending" in message for message in messages_of(response))


def test_lending_page_is_a_record_with_its_history(admin_client, department):
    lending = LendingFactory(department=department, returned=True)
    response = admin_client.get(f"{LENDINGS}{lending.pk}/change/")
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    history = response.context["inline_admin_formsets"][0].formset
    assert [event.action for event in history.get_queryset()] == ["updated", "created"]
    assert admin_client.post(f"{LENDINGS}{lending.pk}/delete/").status_code == 403


# --- Lending by hand ----------------------------------------------------------------------------


def test_manual_lend_goes_through_the_service(admin_client, admin_user, department):
    tool = ToolFactory(department=department, name="Bohrhammer")
    worker = WorkerFactory(department=department)
    due = timezone.localdate() + datetime.timedelta(days=3)
    page = admin_client.get(f"{LENDINGS}add/")
    assert page.status_code == 200

    response = admin_client.post(
        f"{LENDINGS}add/", form_data(page, tool=tool.pk, worker=worker.pk, due_date=due.isoformat(), notes="Baustelle")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    lending = Lending.objects.get()
    assert (lending.tool, lending.worker, lending.due_date, lending.lent_by) == (tool, worker, due, admin_user)
    assert (lending.department, lending.notes) == (department, "Baustelle")
    assert Tool.objects.get(pk=tool.pk).status == Tool.Status.LENT
    assert ChangeEvent.objects.filter(entity="lending", object_id=lending.pk, action="created").exists()


def test_manual_lend_without_due_date_takes_the_default(admin_client, department, settings):
    settings.DEFAULT_LENDING_DAYS = 14
    tool, worker = ToolFactory(department=department), WorkerFactory(department=department)
    page = admin_client.get(f"{LENDINGS}add/")
    admin_client.post(f"{LENDINGS}add/", form_data(page, tool=tool.pk, worker=worker.pk, due_date=""))
    assert Lending.objects.get().due_date == timezone.localdate() + datetime.timedelta(days=14)


def test_manual_lend_offers_only_what_can_be_lent(admin_client, department):
    free = ToolFactory(department=department, name="Frei")
    ToolFactory(department=department, name="Kaputt", status=Tool.Status.DEFECTIVE)
    lent = LendingFactory(department=department).tool
    WorkerFactory(department=department, last_name="Aktiv")
    WorkerFactory(department=department, last_name="Ehemalig", active=False)

    form = admin_client.get(f"{LENDINGS}add/").context["adminform"].form
    assert list(form.fields["tool"].queryset) == [free]
    names = [w.last_name for w in form.fields["worker"].queryset]
    assert "Aktiv" in names and "Ehemalig" not in names
    # A lent tool posted anyway is no valid choice, and nothing is lent twice.
    page = admin_client.get(f"{LENDINGS}add/")
    worker = form.fields["worker"].queryset.get(last_name="Aktiv")
    response = admin_client.post(f"{LENDINGS}add/", form_data(page, tool=lent.pk, worker=worker.pk))
    assert response.status_code == 200
    assert "tool" in response.context["adminform"].form.errors
    assert Lending.objects.filter(tool=lent).count() == 1


def test_manual_lend_shows_the_services_refusal(admin_client, department, other_department):
    tool = ToolFactory(department=department)
    stranger = WorkerFactory(department=other_department)
    page = admin_client.get(f"{LENDINGS}add/")
    response = admin_client.post(f"{LENDINGS}add/", form_data(page, tool=tool.pk, worker=stranger.pk))
    assert response.status_code == 200
    assert "Tool and worker belong to different departments." in response.content.decode()
    assert not Lending.objects.exists()
    assert Tool.objects.get(pk=tool.pk).status == Tool.Status.AVAILABLE


def test_employee_may_lend_by_hand(page_client_for, admin_user, employee, department):
    client = page_client_for(employee)
    tool, worker = ToolFactory(department=department), WorkerFactory(department=department)
    page = client.get(f"{LENDINGS}add/")
    assert client.post(f"{LENDINGS}add/", form_data(page, tool=tool.pk, worker=worker.pk)).status_code == 302
    assert Lending.objects.get().lent_by == employee


# --- Query counts -------------------------------------------------------------------------------


def test_lending_changelist_query_count_is_pinned(admin_client, department, django_assert_max_num_queries):
    SiteConfiguration.current()
    LendingFactory(department=department)
    admin_client.get(LENDINGS)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(LENDINGS).status_code == 200
    for number in range(40):
        LendingFactory(department=department, overdue_days=number % 3, returned=number % 2 == 0)
    # Measured 12 (session, user, departments, counts, permissions, list filters and date hierarchy, one page of
    # rows with tool, worker and department), +2 slack as for the other changelists; it must not grow with rows.
    with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as many:
        assert admin_client.get(LENDINGS).status_code == 200
    assert len(many) == len(few)


def test_digest_list_shows_what_went_out(admin_client, admin_user, department):
    LendingFactory(department=department, overdue_days=2)
    lending_send_overdue_reminders()
    response = admin_client.get("/admin/lending/overduedigest/")
    assert response.status_code == 200
    assert [d.department for d in response.context["cl"].result_list] == [department]


# --- Label sheets from the admin lists ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "factory"),
    [("/admin/inventory/tool/", ToolFactory), ("/admin/inventory/consumable/", ConsumableFactory),
     ("/admin/lending/worker/", WorkerFactory)],
)  # fmt: skip
def test_print_labels_action(admin_client, department, url, factory):
    first, second = factory(department=department, barcode="LBL-1"), factory(department=department, barcode="LBL-2")
    factory(department=department, barcode="LBL-3")

    response = post_action(admin_client, url, "print_labels", [first, second])

    assert response.status_code == 200
    text = pdf_text(response)
    assert "LBL-1" in text and "LBL-2" in text and "LBL-3" not in text


def test_print_labels_uses_the_stored_label_size(admin_client, department):
    tools = [ToolFactory(department=department, barcode=f"L{n:02d}") for n in range(30)]
    config = SiteConfiguration.current()
    config.label_width_mm, config.label_height_mm = 100, 70  # 2 x 4 on a page
    config.save()
    response = post_action(admin_client, "/admin/inventory/tool/", "print_labels", tools)
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 4
