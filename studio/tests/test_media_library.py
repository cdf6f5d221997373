"""The media library page (/studio/library/): uploads checked like every upload, tagged from the name and by
the creator."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from renders.models import MediaItem
from tests import fake_stock

pytestmark = pytest.mark.django_db


def upload(client, name: str, content: bytes, tags: str = ""):
    return client.post(reverse("studio:library"), {"file": SimpleUploadedFile(name, content), "tags": tags})


def test_a_picture_is_added_tagged_from_its_name_and_the_creator(owner_client):
    response = upload(owner_client, "Golden_Retriever-01.jpg", fake_stock.tiny_jpeg(), "dogs, Park")
    assert response.status_code == 302
    item = MediaItem.objects.get()
    assert (item.kind, item.width, item.height) == ("photo", 320, 568)
    assert item.tags == ["dogs", "park", "golden", "retriever"]
    assert default_storage.exists(item.file.name) and item.file.name.endswith(".jpg")
    assert "Golden_Retriever-01.jpg" in owner_client.get(reverse("studio:library")).content.decode()


def test_a_clip_is_told_by_its_content_not_its_name(owner_client):
    assert upload(owner_client, "waves.png", fake_stock.tiny_mp4()).status_code == 302
    item = MediaItem.objects.get()
    assert item.kind == "video" and item.file.name.endswith(".mp4") and item.duration == pytest.approx(1.0, abs=0.2)


@pytest.mark.parametrize(
    ("name", "content"), [("x.jpg", b"not a picture at all"), ("list.m3u8", b"#EXTM3U\nhttp://127.0.0.1/x.ts\n")]
)
def test_files_that_are_not_media_are_refused_with_a_message(owner_client, name, content):
    response = upload(owner_client, name, content)
    assert response.status_code == 400 and "not a picture we can read" in response.content.decode()
    assert not MediaItem.objects.exists()


def test_tags_can_be_edited_and_items_deleted_with_an_audit_line(owner_client, commit_after_each_post):
    upload(owner_client, "beach.jpg", fake_stock.tiny_jpeg())
    item = MediaItem.objects.get()
    owner_client.post(reverse("studio:library_tags", args=[item.pk]), {"tags": "Sand, sea"})
    item.refresh_from_db()
    assert item.tags == ["sand", "sea"]
    owner_client.post(reverse("studio:library_delete", args=[item.pk]))
    assert not MediaItem.objects.exists() and not default_storage.exists(item.file.name)
    assert AuditEntry.objects.filter(action="media.deleted").exists()


def test_other_workspaces_cannot_touch_an_item(owner_client, outsider_client):
    upload(owner_client, "beach.jpg", fake_stock.tiny_jpeg())
    item = MediaItem.objects.get()
    assert outsider_client.post(reverse("studio:library_delete", args=[item.pk])).status_code == 404
    assert outsider_client.post(reverse("studio:library_tags", args=[item.pk]), {"tags": "x"}).status_code == 404
    assert "beach.jpg" not in outsider_client.get(reverse("studio:library")).content.decode()
