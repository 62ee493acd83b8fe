"""Releases: cut by an owner, built into storage, verifiable from their files, immutable, and
invisible with their datanet."""

import hashlib
import io
import json
import tracemalloc
import urllib.request
import uuid

import pyarrow.parquet as pq
import pytest
import yaml

from curation.models import Release
from curation.releases import release_build
from datanets.models import Membership, Record, Submission
from tests.factories import UserFactory, make_datanet


def accept_records(datanet, contributor, n: int, *, start: int = 0) -> list[int]:
    sub = Submission.objects.create(datanet=datanet, contributor=contributor, original_name="r.jsonl",
                                    storage_key=f"test/{uuid.uuid4()}", sha256=uuid.uuid4().hex, format="jsonl",
                                    status=Submission.Status.DONE)
    rows = []
    for i in range(start, start + n):
        text = f"Accepted record number {i} about first aid, with enough words to be a record."
        rows.append(Record(datanet=datanet, submission=sub, contributor=contributor, row=i,
                           fields={"text": text, "n": i}, text=text,
                           content_hash=hashlib.sha256(text.encode()).hexdigest(), quality_score=0.7,
                           status=Record.Status.ACCEPTED))
    Record.objects.bulk_create(rows, batch_size=2000)
    return list(Record.objects.filter(submission=sub).order_by("id").values_list("id", flat=True))


def cut(client, datanet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/datanets/{datanet.slug}/releases/", {}, format="json")
    assert response.status_code == 202, response.content
    return Release.objects.get(pk=response.json()["id"])


def download(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code == 302:  # S3: a presigned GET URL
        with urllib.request.urlopen(response["Location"]) as remote:
            return remote.read()
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def files_of(client, release) -> dict[str, bytes]:
    body = client.get(f"/api/v1/releases/{release.pk}/").json()
    return {f["kind"]: download(client, f["url"]) for f in body["files"]}


def naive_merkle_root(manifest: bytes) -> str:
    """Recomputed from the construction in the dataset card, level by level."""
    level = []
    for line in manifest.decode().splitlines():
        row = json.loads(line)
        encoded = f"{row['record_id']}\t{row['content_hash']}\t{row['contributor']}\t{row['license']}".encode()
        level.append(hashlib.sha256(b"\x00" + encoded).digest())
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


def test_owner_cuts_a_release_whose_files_verify(alice, datanet, api_as, django_capture_on_commit_callbacks):
    ids = accept_records(datanet, alice, 37)
    client = api_as(alice)
    release = cut(client, datanet, django_capture_on_commit_callbacks)
    assert (release.status, release.version, release.record_count, release.progress) == ("ready", 1, 37, 1.0)
    assert all(f["key"].startswith(f"datanets/{datanet.pk}/releases/v1/") for f in release.files.values())

    files = files_of(client, release)
    assert set(files) == {"jsonl", "parquet", "manifest", "card"}
    for kind, data in files.items():
        assert hashlib.sha256(data).hexdigest() == release.files[kind]["sha256"]
        assert len(data) == release.files[kind]["size"]

    rows = [json.loads(line) for line in files["jsonl"].decode().splitlines()]
    assert [r["record_id"] for r in rows] == ids
    assert rows[0]["fields"] == {"text": rows[0]["text"], "n": 0} and rows[0]["contributor"] == "alice"
    table = pq.read_table(io.BytesIO(files["parquet"]))
    assert table.num_rows == 37 and table.column("record_id").to_pylist() == ids

    manifest = [json.loads(line) for line in files["manifest"].decode().splitlines()]
    assert [m["record_id"] for m in manifest] == ids
    assert {m["license"] for m in manifest} == {"CC-BY-4.0"}
    assert naive_merkle_root(files["manifest"]) == release.merkle_root

    card = files["card"].decode()
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["license"] == "cc-by-4.0" and front["size_categories"] == ["n<1K"]
    assert front["language"] == ["en"] and front["task_categories"] == ["text-generation"]
    assert front["pretty_name"] == "Medical notes"
    assert release.merkle_root in card and "0.8" in card  # the near-dup threshold


def test_a_ready_release_is_immutable(alice, datanet, api_as, django_capture_on_commit_callbacks):
    accept_records(datanet, alice, 3)
    release = cut(api_as(alice), datanet, django_capture_on_commit_callbacks)
    release.merkle_root = "0" * 64
    with pytest.raises(RuntimeError, match="immutable"):
        release.save()
    with pytest.raises(RuntimeError):
        Release.objects.get(pk=release.pk).delete()
    again = release_build(release_id=release.pk)  # a redelivered task changes nothing
    assert again.files == Release.objects.get(pk=release.pk).files
    assert again.merkle_root != "0" * 64


def test_v2_lists_removed_and_added_records_and_v1_is_unchanged(alice, datanet, api_as,
                                                                django_capture_on_commit_callbacks):
    ids = accept_records(datanet, alice, 10)
    client = api_as(alice)
    v1 = cut(client, datanet, django_capture_on_commit_callbacks)
    v1_files = files_of(client, v1)

    Record.objects.filter(pk=ids[3]).update(status=Record.Status.REMOVED)  # a moderation takedown
    new_ids = accept_records(datanet, alice, 2, start=100)
    v2 = cut(client, datanet, django_capture_on_commit_callbacks)
    assert v2.version == 2 and v2.record_count == 11
    assert v2.changes == {"previous": 1, "added": 2, "removed": [ids[3]]}
    assert v2.merkle_root != v1.merkle_root
    listed = client.get(f"/api/v1/datanets/{datanet.slug}/releases/").json()["results"]
    assert [r["version"] for r in listed] == [2, 1]
    assert listed[0]["changes"]["removed"] == [ids[3]]

    v2_manifest = files_of(client, v2)["manifest"].decode()
    assert ids[3] not in [json.loads(line)["record_id"] for line in v2_manifest.splitlines()]
    assert set(new_ids) <= {json.loads(line)["record_id"] for line in v2_manifest.splitlines()}
    v1.refresh_from_db()
    assert files_of(client, v1) == v1_files
    assert naive_merkle_root(v1_files["manifest"]) == v1.merkle_root


def test_only_owners_cut_and_refusals_say_why(alice, bob, datanet, api_as):
    curator = UserFactory(username="curt")
    Membership.objects.create(datanet=datanet, user=curator, role=Membership.Role.CURATOR)
    empty = api_as(alice).post(f"/api/v1/datanets/{datanet.slug}/releases/", {}, format="json")
    assert empty.status_code == 409 and "no accepted records" in empty.json()["detail"]

    accept_records(datanet, alice, 2)
    for user in (bob, curator):
        response = api_as(user).post(f"/api/v1/datanets/{datanet.slug}/releases/", {}, format="json")
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == "Only the datanet's owners cut releases."
    assert not Release.objects.exists()

    Release.objects.create(datanet=datanet, version=1, created_by=alice)  # still building
    busy = api_as(alice).post(f"/api/v1/datanets/{datanet.slug}/releases/", {}, format="json")
    assert busy.status_code == 409 and "v1 is still building" in busy.json()["detail"]


def test_private_releases_are_invisible_to_outsiders(alice, bob, api_as, client, django_capture_on_commit_callbacks):
    private = make_datanet(alice, name="Secret lab notes", visibility="private")
    member = UserFactory(username="member")
    Membership.objects.create(datanet=private, user=member, role=Membership.Role.CONTRIBUTOR)
    accept_records(private, alice, 4)
    release = cut(api_as(alice), private, django_capture_on_commit_callbacks)
    urls = [f"/releases/{release.pk}/", f"/releases/{release.pk}/progress/",
            f"/releases/{release.pk}/files/jsonl/", f"/releases/{release.pk}/files/manifest/",
            f"/d/{private.slug}/releases/"]
    api_urls = [f"/api/v1/releases/{release.pk}/", f"/api/v1/releases/{release.pk}/files/parquet/",
                f"/api/v1/datanets/{private.slug}/releases/"]
    for url in urls:
        assert client.get(url).status_code == 404, url  # anonymous
    client.force_login(bob)
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in api_urls:
        assert api_as(bob).get(url).status_code == 404, url
    client.force_login(member)
    assert client.get(f"/releases/{release.pk}/").status_code == 200
    assert client.get(f"/releases/{release.pk}/files/jsonl/").status_code in (200, 302)
    assert api_as(member).get(f"/api/v1/releases/{release.pk}/").status_code == 200


def test_release_pages(alice, bob, datanet, client, django_capture_on_commit_callbacks):
    accept_records(datanet, alice, 5)
    client.force_login(alice)
    page = client.get(f"/d/{datanet.slug}/releases/")
    assert page.status_code == 200 and b"Cut release" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/d/{datanet.slug}/releases/cut/")
    release = Release.objects.get(datanet=datanet)
    assert response.status_code == 302 and response["Location"] == f"/releases/{release.pk}/"
    detail = client.get(f"/releases/{release.pk}/").content.decode()
    assert "Dataset card" in detail and release.merkle_root in detail and "data.parquet" in detail
    assert "<script" not in detail.split("Dataset card")[1].split("</section>")[0]
    client.force_login(bob)
    assert b"Cut release" not in client.get(f"/d/{datanet.slug}/releases/").content


def test_building_page_polls_progress(alice, datanet, client):
    release = Release.objects.create(datanet=datanet, version=1, created_by=alice, progress=0.4)
    client.force_login(alice)
    html = client.get(f"/releases/{release.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html


def test_building_20k_records_keeps_memory_flat(alice, datanet, api_as, django_capture_on_commit_callbacks):
    accept_records(datanet, alice, 20_000)
    tracemalloc.start()
    try:
        release = cut(api_as(alice), datanet, django_capture_on_commit_callbacks)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert release.status == "ready" and release.record_count == 20_000
    assert peak < 60 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_failed_build_says_so_leaves_no_files_and_the_next_cut_works(alice, datanet, api_as, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from curation import releases

    accept_records(datanet, alice, 5)
    folder = f"datanets/{datanet.pk}/releases/v1/"
    before = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []  # other tests' files
    real_save = default_storage.save

    def save_then_break(name, content, *args, **kwargs):
        if name.endswith("README.md"):
            raise ValueError("disk on fire")
        return real_save(name, content, *args, **kwargs)

    monkeypatch.setattr(releases.default_storage, "save", save_then_break)
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        api_as(alice).post(f"/api/v1/datanets/{datanet.slug}/releases/", {}, format="json")
    failed = Release.objects.get(datanet=datanet)
    assert failed.status == "failed" and "Cut the release again" in failed.error and failed.finished_at
    assert sorted(default_storage.listdir(folder)[1]) == sorted(before)
    monkeypatch.undo()

    release = cut(api_as(alice), datanet, django_capture_on_commit_callbacks)
    assert (release.version, release.status, release.changes["previous"]) == (2, "ready", None)
