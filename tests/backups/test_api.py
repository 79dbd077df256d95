"""`/api/backups` (admins only, envelope)."""

import pytest

from inventory.models import Tool
from scandy_site.backups import services
from tests.factories import ToolFactory
from tests.factories.backups import rewrite_backup


@pytest.fixture
def stored(backup_dirs, department, admin_user):
    ToolFactory(department=department, barcode="T-1", name="Säge")
    (backup_dirs.media / "a.txt").write_text("media")
    return services.backup_create()


@pytest.mark.django_db
def test_list_is_a_page_of_backups(api, stored, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api.get("/api/backups")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["data"]["count"] == 1
    item = body["data"]["results"][0]
    assert item["name"] == stored.name
    assert item["size"] == stored.size
    assert item["instance"] == "main"
    assert item["kind"] == "backup"
    assert item["created_at"]


@pytest.mark.django_db
def test_create(api, stored):
    response = api.post("/api/backups", {"include_media": False}, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["media_files"] == 0
    assert data["rows"] > 0
    assert data["name"] != stored.name
    assert api.get("/api/backups").json()["data"]["count"] == 2
    with_media = api.post("/api/backups")  # no body: everything, media included
    assert with_media.status_code == 201
    assert with_media.json()["data"]["media_files"] == 1
    assert with_media.json()["data"]["name"] in with_media.json()["message"]


@pytest.mark.django_db
def test_create_with_bad_input(api, stored):
    response = api.post("/api/backups", {"include_media": "perhaps"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


@pytest.mark.django_db
def test_detail_verify_delete(api, stored):
    detail = api.get(f"/api/backups/{stored.name}").json()["data"]
    assert detail["includes_media"] is True
    assert detail["media_files"] == 1
    assert detail["row_counts"]["inventory.tool"] == 1

    verify = api.post(f"/api/backups/{stored.name}/verify")
    assert verify.status_code == 200
    assert verify.json()["data"]["ok"] is True

    deleted = api.delete(f"/api/backups/{stored.name}")
    assert deleted.status_code == 200
    assert api.get(f"/api/backups/{stored.name}").status_code == 404


@pytest.mark.django_db
def test_verify_reports_a_damaged_backup(api, stored, backup_dirs):
    path = backup_dirs.backups / stored.name
    broken = backup_dirs.root / "b.zip"
    rewrite_backup(path, broken, change=lambda n, d: b"x" if n == "media/a.txt" else d, fix_manifest=False)
    path.write_bytes(broken.read_bytes())
    body = api.post(f"/api/backups/{stored.name}/verify").json()
    assert body["data"]["ok"] is False
    assert "Die Prüfsumme von media/a.txt stimmt nicht" in body["data"]["problems"][0]  # German by default


@pytest.mark.django_db(transaction=True)
def test_restore(api, stored):
    Tool.objects.update(name="changed")
    response = api.post(f"/api/backups/{stored.name}/restore")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["data"]["name"] == stored.name
    assert body["data"]["safety_backup"].endswith("-pre-restore.zip")
    assert body["data"]["media_files"] == 1
    assert body["data"]["tokens_kept"] == 1  # the caller's token survives
    assert Tool.objects.get().name == "Säge"
    assert api.get("/api/backups").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_restore_of_a_damaged_backup_is_422(api, stored, backup_dirs):
    path = backup_dirs.backups / stored.name
    path.write_bytes(path.read_bytes()[:200])
    Tool.objects.update(name="changed")
    response = api.post(f"/api/backups/{stored.name}/restore")
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "error" and body["code"] == "BACKUP_INVALID"
    assert body["errors"]["backup"]
    assert Tool.objects.get().name == "changed"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["nope.zip", "scandy-backup-main-20000101-000000.zip", "..%2F..%2Fetc%2Fpasswd"])
def test_unknown_names_are_404(api, stored, name):
    for response in (
        api.get(f"/api/backups/{name}"),
        api.post(f"/api/backups/{name}/restore"),
        api.post(f"/api/backups/{name}/verify"),
        api.delete(f"/api/backups/{name}"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_only_admins(api_for, stored, employee, plain_user, participant):
    for user in (employee, plain_user, participant):
        client = api_for(user)
        assert client.get("/api/backups").json()["code"] == "PERMISSION_DENIED"
        assert client.post("/api/backups").status_code == 403
        assert client.post(f"/api/backups/{stored.name}/restore").status_code == 403
    anonymous = api_for(None)
    response = anonymous.get("/api/backups")
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"
    assert anonymous.post(f"/api/backups/{stored.name}/restore").status_code == 401
