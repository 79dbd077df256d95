"""Who may see and change files (CONTRACT section 4: upload to what you may edit; participants only
to their own tickets), for every media URL, API and pages, for the four roles and a visitor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scandy_site.accounts.roles import Role
from scandy_site.media import services
from scandy_site.media.models import Attachment
from tests.conftest import ROLES
from tests.factories import ToolFactory, WorkerFactory
from tests.factories.media import image_bytes
from tests.factories.tickets import TicketFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
EVERYONE = [*ROLES, ANONYMOUS]
INVENTORY = {Role.ADMIN, Role.EMPLOYEE, Role.USER}
STAFF = {Role.ADMIN, Role.EMPLOYEE}


@pytest.fixture
def users(admin_user, employee, plain_user, participant):
    return {Role.ADMIN: admin_user, Role.EMPLOYEE: employee, Role.USER: plain_user, Role.PARTICIPANT: participant,
            ANONYMOUS: None}  # fmt: skip


def png(name="neu.png"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/png")


@pytest.fixture
def records(department, admin_user):
    tool = ToolFactory(department=department, barcode="T-1")
    worker = WorkerFactory(department=department, barcode="W-1")
    for record in (tool, worker):
        services.media_upload(entity=record, user=admin_user, upload=png("foto.png"))
        services.media_upload(entity=record, user=admin_user, upload=png("zweites.png"))
    return {"tool": ("T-1", tool), "worker": ("W-1", worker)}


# (entity type, who may see its files, who may change them)
MATRIX = [("tool", INVENTORY, INVENTORY), ("worker", INVENTORY, STAFF)]


def _expected(role, allowed, ok):
    if role == ANONYMOUS:
        return 401
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize(("kind", "viewers", "editors"), MATRIX)
def test_api_matrix(role, kind, viewers, editors, users, records, api_for):
    identifier, record = records[kind]
    client = api_for(users[role])
    base = f"/api/media/{kind}/{identifier}"
    assert client.get(f"{base}/list").status_code == _expected(role, viewers, 200)
    assert client.get(f"{base}/foto.png").status_code == _expected(role, viewers, 200)
    uploaded = client.post(f"{base}/upload", {"file": png()}, format="multipart")
    assert uploaded.status_code == _expected(role, editors, 201)
    assert client.post(f"{base}/zweites.png/preview").status_code == _expected(role, editors, 200)
    assert client.delete(f"{base}/foto.png").status_code == _expected(role, editors, 200)
    changed = role in editors
    files = set(Attachment.objects.filter(entity_type=kind, entity_id=record.pk).values_list("filename", flat=True))
    assert files == ({"zweites.png", "neu.png"} if changed else {"foto.png", "zweites.png"})


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize(("kind", "viewers", "editors"), MATRIX)
def test_page_matrix(role, kind, viewers, editors, users, records, client):
    identifier, record = records[kind]
    if users[role] is not None:
        client.force_login(users[role])
    base = f"/files/{kind}/{identifier}"

    def expect(response, allowed, ok):
        if role == ANONYMOUS:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == (ok if role in allowed else 403)

    expect(client.get(f"{base}/foto.png"), viewers, 200)
    expect(client.get(f"{base}/foto.png/thumbnail/"), viewers, 200)
    expect(client.post(f"{base}/upload/", {"file": png()}), editors, 302)
    expect(client.post(f"{base}/zweites.png/preview/"), editors, 302)
    expect(client.post(f"{base}/foto.png/delete/"), editors, 302)
    files = set(Attachment.objects.filter(entity_type=kind, entity_id=record.pk).values_list("filename", flat=True))
    assert files == ({"zweites.png", "neu.png"} if role in editors else {"foto.png", "zweites.png"})


def test_ticket_files_follow_the_ticket_rights(department, employee, plain_user, participant, api_for):
    own = TicketFactory(department=department, created_by=participant, title="Mein Ticket")
    foreign_open = TicketFactory(department=department, created_by=employee, title="Offen")
    hidden = TicketFactory(department=department, created_by=employee, title="Intern", assignees=[employee])

    as_participant = api_for(participant)
    assert (
        as_participant.post(f"/api/media/ticket/{own.pk}/upload", {"file": png()}, format="multipart").status_code
        == 201
    )
    assert as_participant.get(f"/api/media/ticket/{own.pk}/list").json()["data"]["count"] == 1
    for other in (foreign_open, hidden):
        response = as_participant.post(f"/api/media/ticket/{other.pk}/upload", {"file": png()}, format="multipart")
        assert response.status_code == 404

    as_user = api_for(plain_user)
    # An open ticket of someone else: the user sees it (and its files) but may not change it.
    assert as_user.get(f"/api/media/ticket/{foreign_open.pk}/list").status_code == 200
    response = as_user.post(f"/api/media/ticket/{foreign_open.pk}/upload", {"file": png()}, format="multipart")
    assert response.status_code == 403
    assert as_user.get(f"/api/media/ticket/{hidden.pk}/list").status_code == 404
    assert (
        api_for(employee).post(f"/api/media/ticket/{hidden.pk}/upload", {"file": png()}, format="multipart").status_code
        == 201
    )


def test_other_department_is_not_found(department, other_department, api_for, employee):
    ToolFactory(department=other_department, barcode="T-9")
    assert api_for(employee).get("/api/media/tool/T-9/list").status_code == 404


@pytest.mark.parametrize(
    ("url", "kind"),
    [("/inventory/tools/T-1/", "tool"), ("/inventory/consumables/C-1/", "consumable"), ("/workers/W-1/", "worker")],
)
def test_widget_on_detail_pages(url, kind, department, records, page_client_for, employee, plain_user):
    from tests.factories import ConsumableFactory

    ConsumableFactory(department=department, barcode="C-1")
    page = page_client_for(employee).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="media-widget"' in html and f'data-entity="{kind}"' in html
    assert 'data-testid="media-upload"' in html
    if kind != "consumable":
        assert f"/files/{kind}/" in html and "foto.png" in html
    # A user sees workers' files but may not change them: no upload form there.
    html = page_client_for(plain_user).get(url).content.decode()
    assert ('data-testid="media-upload"' in html) is (kind != "worker")


def test_page_upload_reports_every_refused_file(department, records, page_client_for, employee):
    client = page_client_for(employee)
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post("/files/tool/T-1/upload/", {"file": [png("gut.png"), bad]}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("gut.png" in m for m in messages)
    assert any("virus.pdf" in m and "wird nicht angenommen" in m for m in messages)  # German, the default
    assert response.redirect_chain[-1][0].startswith("/inventory/tools/T-1/")


def test_page_upload_too_large_is_refused_with_a_message(department, records, page_client_for, employee, settings):
    settings.MEDIA_MAX_FILE_SIZE = 1000
    client = page_client_for(employee)
    big = SimpleUploadedFile("gross.png", image_bytes(size=(400, 400)) + b"\x00" * 2000, content_type="image/png")
    response = client.post("/files/tool/T-1/upload/", {"file": big}, follow=True)
    assert any("Die Datei ist größer als" in str(m) for m in response.context["messages"])  # German, the default
    assert not Attachment.objects.filter(filename="gross.png").exists()


def test_page_upload_needs_csrf(department, records, employee, client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(employee)
    assert csrf_client.post("/files/tool/T-1/upload/", {"file": png()}).status_code == 403
