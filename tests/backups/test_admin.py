"""The backup pages of the admin: list, create, upload, download, verify, restore, delete."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import Tool
from scandy_site.backups import services
from tests.factories import ToolFactory

LIST = "/admin/backups/backupfile/"


@pytest.fixture
def stored(backup_dirs, department, admin_user):
    ToolFactory(department=department, barcode="T-1", name="Säge")
    (backup_dirs.media / "a.txt").write_text("media")
    return services.backup_create()


@pytest.fixture
def admin_client(page_client_for, admin_user):
    client = page_client_for(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.django_db
def test_the_admin_index_links_to_backups(admin_client, stored):
    html = admin_client.get("/admin/").content.decode()
    assert f'href="{LIST}"' in html


@pytest.mark.django_db
def test_list_shows_backups_with_their_actions(admin_client, stored):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert stored.name in html
    for action in ("download", "verify", "restore", "delete"):
        assert f"{LIST}{stored.name}/{action}/" in html


@pytest.mark.django_db
def test_only_admins_see_the_pages(page_client_for, employee, stored):
    client = page_client_for(employee)
    assert client.get(LIST).status_code == 403
    assert client.post(f"{LIST}create/").status_code == 403
    assert client.get(f"{LIST}{stored.name}/download/").status_code == 403
    assert client.post(f"{LIST}{stored.name}/restore/", {"confirm": "on"}).status_code == 403
    assert f'href="{LIST}"' not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_create(admin_client, stored, backup_dirs):
    response = admin_client.post(f"{LIST}create/", {"include_media": ""}, follow=True)
    assert response.status_code == 200
    assert any("created" in m for m in messages_of(response))
    assert len(list(backup_dirs.backups.iterdir())) == 2
    assert admin_client.get(f"{LIST}create/").status_code == 403  # only POST


@pytest.mark.django_db
def test_download(admin_client, stored, backup_dirs):
    response = admin_client.get(f"{LIST}{stored.name}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{stored.name}"'
    assert b"".join(response.streaming_content) == (backup_dirs.backups / stored.name).read_bytes()


@pytest.mark.django_db
def test_upload_verifies_before_storing(admin_client, stored, backup_dirs):
    content = (backup_dirs.backups / stored.name).read_bytes()
    (backup_dirs.backups / stored.name).unlink()
    upload = SimpleUploadedFile(stored.name, content, content_type="application/zip")
    response = admin_client.post(f"{LIST}upload/", {"file": upload}, follow=True)
    assert any("uploaded and verified" in m for m in messages_of(response))
    assert (backup_dirs.backups / stored.name).read_bytes() == content

    garbage = SimpleUploadedFile("evil.zip", b"PK\x03\x04 not really", content_type="application/zip")
    response = admin_client.post(f"{LIST}upload/", {"file": garbage}, follow=True)
    assert any("cannot be used" in m for m in messages_of(response))
    assert [p.name for p in backup_dirs.backups.iterdir()] == [stored.name]


@pytest.mark.django_db
def test_upload_of_a_renamed_file_gets_a_name_from_its_manifest(admin_client, stored, backup_dirs):
    content = (backup_dirs.backups / stored.name).read_bytes()
    upload = SimpleUploadedFile("my backup.zip", content)
    admin_client.post(f"{LIST}upload/", {"file": upload})
    names = sorted(p.name for p in backup_dirs.backups.iterdir())
    assert len(names) == 2
    assert any(name.startswith("scandy-backup-main-") and name.endswith("-uploaded.zip") for name in names)


@pytest.mark.django_db
def test_verify_page(admin_client, stored):
    response = admin_client.get(f"{LIST}{stored.name}/verify/")
    assert response.status_code == 200
    assert "intact" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_restore_asks_for_confirmation_first(admin_client, stored):
    Tool.objects.update(name="changed")
    page = admin_client.get(f"{LIST}{stored.name}/restore/")
    assert page.status_code == 200
    assert 'name="confirm"' in page.content.decode()

    unconfirmed = admin_client.post(f"{LIST}{stored.name}/restore/", {})
    assert unconfirmed.status_code == 200
    assert Tool.objects.get().name == "changed"

    done = admin_client.post(f"{LIST}{stored.name}/restore/", {"confirm": "on"})
    assert done.status_code == 302
    assert Tool.objects.get().name == "Säge"
    # The admin still exists with the same password: the session stays valid.
    follow = admin_client.get(done["Location"])
    assert follow.status_code == 200
    assert any("Restored" in m for m in messages_of(follow))


@pytest.mark.django_db(transaction=True)
def test_a_failed_restore_shows_why(admin_client, stored, backup_dirs):
    path = backup_dirs.backups / stored.name
    path.write_bytes(path.read_bytes()[:-50])
    response = admin_client.post(f"{LIST}{stored.name}/restore/", {"confirm": "on"}, follow=True)
    assert any("cannot be used" in m for m in messages_of(response))


@pytest.mark.django_db
def test_delete_after_confirmation(admin_client, stored, backup_dirs):
    page = admin_client.get(f"{LIST}{stored.name}/delete/")
    assert page.status_code == 200 and stored.name in page.content.decode()
    assert (backup_dirs.backups / stored.name).exists()
    admin_client.post(f"{LIST}{stored.name}/delete/")
    assert not (backup_dirs.backups / stored.name).exists()


@pytest.mark.django_db
def test_unknown_backups_are_404(admin_client, stored):
    for action in ("download", "verify", "restore", "delete"):
        assert admin_client.get(f"{LIST}scandy-backup-main-20000101-000000.zip/{action}/").status_code == 404
        assert admin_client.get(f"{LIST}..%2Fsecret_key/{action}/").status_code == 404


def test_upload_form_is_multipart():
    from scandy_site.backups.admin import BackupUploadForm

    assert BackupUploadForm().is_multipart()
