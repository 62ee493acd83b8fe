"""The contribution pipeline end to end, with the real parser, MinHash LSH, embedding model and
the storage of the profile under test (local files or the moto S3 server)."""

import io
import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from curation.ingest import submission_ingest
from datanets.models import Record, Submission, SubmissionIssue
from tests.factories import make_datanet

GOOD = [
    "Apply firm pressure with a clean cloth to stop bleeding from a small cut, then raise the wound above the heart.",
    "For a minor burn, cool the skin under cool running water for twenty minutes and cover it loosely with cling film.",
    "If someone is choking and cannot cough, give up to five sharp back blows between the shoulder blades.",
    "Place an unresponsive person who is breathing normally in the recovery position and call emergency services.",
    "A sprained ankle should be rested, iced in short intervals, compressed with a bandage and kept elevated.",
    "Check that the scene is safe before you approach a casualty, so that you do not become a second casualty.",
]
NEAR = ("For a minor burn, cool the skin under cool running water for twenty minutes and cover it loosely "
        "with cling film please.")


def csv_bytes(rows: list[str]) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["text", "source"])
    for row in rows:
        writer.writerow([row, "course"])
    return buf.getvalue().encode()


@pytest.fixture
def first_aid(alice):
    return make_datanet(
        alice, name="First aid", summary="First-aid questions and answers",
        description="Short factual first-aid instructions in plain English: bleeding, burns, choking, sprains.",
        record_schema={"type": "object", "properties": {"text": {"type": "string", "minLength": 20},
                                                       "source": {"type": "string"}}, "required": ["text"]},
    )


def upload(api, datanet, name: str, data: bytes):
    return api.post(f"/api/v1/datanets/{datanet.slug}/submissions/",
                    {"file": _named(data, name)}, format="multipart")


def _named(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_csv_with_bad_rows_duplicates_and_junk(api_as, bob, first_aid, django_capture_on_commit_callbacks):
    rows = GOOD + [GOOD[0], "too short", NEAR, "asdf asdf asdf asdf asdf asdf asdf asdf asdf asdf asdf"]
    api = api_as(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, first_aid, "mixed.csv", csv_bytes(rows))
    assert response.status_code == 202, response.json()
    sub_id = response.json()["id"]
    body = api.get(f"/api/v1/submissions/{sub_id}/").json()
    assert body["status"] == "done" and body["progress"] == 1.0
    counts = body["counts"]
    assert counts["total"] == 10
    assert counts["invalid"] == 1  # "too short" breaks minLength
    assert counts["exact_dup"] == 1
    assert counts["near_dup"] == 1
    assert counts["low_quality"] >= 1  # the keyboard mash
    assert counts["queued"] + counts["accepted"] + counts["low_quality"] == 7

    errors = api.get(f"/api/v1/submissions/{sub_id}/errors/").json()["results"]
    assert errors[0]["row"] == 9 and errors[0]["field"] == "text"  # the header is row 1

    records = {r["row"]: r for r in api.get(f"/api/v1/datanets/{first_aid.slug}/records/",
                                            {"submission": sub_id, "page_size": 100}).json()["results"]}
    exact = records[8]
    assert exact["status"] == "rejected_duplicate" and exact["duplicate_of"] == records[2]["id"]
    near = records[10]
    assert near["status"] == "rejected_duplicate" and near["duplicate_of"] == records[3]["id"]
    near_step = next(s for s in near["receipt"] if s["check"] == "near_duplicate")
    assert near_step["value"] >= 0.8 and near_step["threshold"] == 0.8
    junk = records[11]
    assert junk["status"] == "rejected_quality"
    quality = next(s for s in junk["receipt"] if s["check"] == "quality")
    assert quality["value"] < quality["threshold"] and quality["model"]
    good = records[2]
    assert good["status"] == "in_review" and good["quality_score"] > junk["quality_score"]
    assert set(good["quality_components"]) >= {"relevance", "novelty"}


def test_the_same_bytes_twice_are_not_processed_twice(api_as, bob, first_aid, django_capture_on_commit_callbacks):
    api = api_as(bob)
    data = csv_bytes(GOOD[:2])
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(api, first_aid, "a.csv", data)
    again = upload(api, first_aid, "renamed.csv", data)
    assert again.status_code == 409
    assert "already uploaded" in again.json()["detail"]
    assert again.json()["existing_submission"] == first.json()["id"]
    assert Submission.objects.filter(datanet=first_aid).count() == 1


def test_over_the_size_limit_stores_nothing(api_as, bob, first_aid, settings):
    settings.MAX_UPLOAD_BYTES = 100
    before = _stored_files(first_aid)
    response = upload(api_as(bob), first_aid, "big.csv", csv_bytes(GOOD))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert not Submission.objects.exists()
    assert _stored_files(first_aid) == before


def _stored_files(datanet) -> list[str]:
    prefix = f"datanets/{datanet.pk}/submissions"
    try:
        dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    return dirs + files


def test_binary_file_named_csv_is_refused(api_as, bob, first_aid):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    response = upload(api_as(bob), first_aid, "photo.csv", png)
    assert response.status_code == 400
    assert "PNG" in response.json()["detail"] or "binary" in response.json()["detail"].lower()
    assert not Submission.objects.exists()


def test_api_batch_of_records(api_as, bob, first_aid, django_capture_on_commit_callbacks):
    api = api_as(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/datanets/{first_aid.slug}/records/",
                            {"records": [{"text": t} for t in GOOD[:3]] + [{"nope": 1}]}, format="json")
    assert response.status_code == 202
    body = api.get(f"/api/v1/submissions/{response.json()['id']}/").json()
    assert body["counts"]["total"] == 4 and body["counts"]["invalid"] == 1


def test_api_batch_limit(api_as, bob, first_aid, settings):
    settings.MAX_API_BATCH_RECORDS = 2
    response = api_as(bob).post(f"/api/v1/datanets/{first_aid.slug}/records/",
                                {"records": [{"text": t} for t in GOOD[:3]]}, format="json")
    assert response.status_code == 413 and "at most 2" in response.json()["detail"]


def test_private_datanet_refuses_outsiders_with_404(api_as, bob, alice):
    private = make_datanet(alice, name="Private", visibility="private")
    response = upload(api_as(bob), private, "a.csv", csv_bytes(GOOD[:1]))
    assert response.status_code == 404


def test_resume_after_each_chunk_loses_and_doubles_nothing(api_as, bob, first_aid, settings):
    settings.INGEST_CHUNK_SIZE = 2
    response = upload(api_as(bob), first_aid, "resumable.csv", csv_bytes(GOOD + [GOOD[1]]))
    sub_id = response.json()["id"]
    runs = 0
    while not submission_ingest(submission_id=sub_id, budget_seconds=0):
        runs += 1
        assert runs < 20
    sub = Submission.objects.get(id=sub_id)
    assert runs >= 3 and sub.status == "done"
    assert sub.total == 7 and sub.exact_dup == 1
    assert Record.objects.filter(submission=sub).count() == 7
    assert sorted(Record.objects.filter(submission=sub).values_list("row", flat=True)) == list(range(2, 9))


def test_a_crash_inside_a_chunk_rolls_it_back_and_the_retry_completes(api_as, bob, first_aid, settings, monkeypatch):
    from curation import routing

    settings.INGEST_CHUNK_SIZE = 3
    sub_id = upload(api_as(bob), first_aid, "crash.csv", csv_bytes(GOOD)).json()["id"]
    real_route = routing.route
    calls = {"n": 0}

    def crashing_route(**kwargs):
        calls["n"] += 1
        result = real_route(**kwargs)
        if calls["n"] == 2:
            raise RuntimeError("worker died mid-chunk")
        return result

    monkeypatch.setattr("curation.ingest.route", crashing_route)
    with pytest.raises(RuntimeError):
        submission_ingest(submission_id=sub_id)
    sub = Submission.objects.get(id=sub_id)
    assert sub.rows_done == 3 and Record.objects.filter(submission=sub).count() == 3
    Submission.objects.filter(id=sub_id).update(lease_until=None)  # the dead worker's lease ran out
    monkeypatch.setattr("curation.ingest.route", real_route)
    assert submission_ingest(submission_id=sub_id)
    sub.refresh_from_db()
    assert sub.status == "done" and sub.total == 6
    assert Record.objects.filter(submission=sub).count() == 6


def test_a_file_refused_midway_leaves_nothing(api_as, bob, first_aid, settings):
    settings.INGEST_CHUNK_SIZE = 2
    settings.MAX_RECORDS_PER_SUBMISSION = 4
    sub_id = upload(api_as(bob), first_aid, "toomany.csv", csv_bytes(GOOD)).json()["id"]
    while not submission_ingest(submission_id=sub_id, budget_seconds=0):
        pass
    sub = Submission.objects.get(id=sub_id)
    assert sub.status == "failed" and "4" in sub.error
    assert not Record.objects.filter(submission=sub).exists()
    assert not SubmissionIssue.objects.filter(submission=sub).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["db", "configured"])
def test_two_workers_never_both_let_a_near_duplicate_pair_through(alice, bob, carol, first_aid, monkeypatch, settings,
                                                                   backend):
    from datanets.submissions import submission_create_from_file

    if backend == "db":  # the database of record's index, whatever the profile configures
        settings.LSH_BACKEND = "db"

    monkeypatch.setattr("datanets.submissions._enqueue", lambda pk: None)  # the two threads are the workers

    subs = []
    for user, text in ((bob, GOOD[1]), (carol, NEAR)):
        subs.append(submission_create_from_file(datanet=first_aid, contributor=user,
                                                stream=io.BytesIO(csv_bytes([text])), original_name="x.csv"))
    barrier = threading.Barrier(2)
    errors = []

    def work(sub):
        try:
            barrier.wait()
            submission_ingest(submission_id=sub.id)
        except Exception as exc:  # noqa: BLE001 — surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in subs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    statuses = sorted(Record.objects.filter(datanet=first_aid).values_list("status", flat=True))
    assert statuses.count("rejected_duplicate") == 1, statuses


def test_uploads_per_day_limit(api_as, bob, first_aid, settings):
    settings.MAX_UPLOADS_PER_DAY = 1
    api = api_as(bob)
    assert upload(api, first_aid, "one.csv", csv_bytes(GOOD[:1])).status_code == 202
    second = upload(api, first_aid, "two.csv", csv_bytes(GOOD[1:2]))
    assert second.status_code == 429 and "24 hours" in second.json()["detail"]


def test_quality_weights_are_checked(api_as, alice, first_aid):
    api = api_as(alice)
    bad = api.patch(f"/api/v1/datanets/{first_aid.slug}/", {"quality_weights": {"vibes": 1}}, format="json")
    assert bad.status_code == 400 and "vibes" in bad.json()["detail"]
    ok = api.patch(f"/api/v1/datanets/{first_aid.slug}/", {"quality_weights": {"relevance": 0.7, "novelty": 0.3}},
                   format="json")
    assert ok.status_code == 200


def test_a_frozen_or_closed_datanet_takes_no_uploads(api_as, alice, bob, first_aid):
    from datanets.services import datanet_set_status

    datanet_set_status(datanet=first_aid, actor=alice, status="closed")
    response = upload(api_as(bob), first_aid, "late.csv", csv_bytes(GOOD[:1]))
    assert response.status_code == 403 and "closed" in response.json()["detail"]


def _ingest_text(api, datanet, name: str, text: str) -> Record:
    sub_id = upload(api, datanet, name, csv_bytes([text])).json()["id"]
    while not submission_ingest(submission_id=sub_id, budget_seconds=0):
        pass
    return Record.objects.get(submission_id=sub_id)


def test_db_index_finds_a_near_copy_stored_before_this_worker_looked(api_as, bob, carol, first_aid, settings):
    """A worker's in-memory copy of the index reads what other workers stored since it last looked:
    here the original is written while this process's copy is already built (an earlier lookup),
    then the near copy comes in."""
    from curation import dedup

    settings.LSH_BACKEND = "db"
    _ingest_text(api_as(bob), first_aid, "a.csv", GOOD[0])  # builds the copy
    assert any(key[0] == first_aid.pk for key in dedup._mirrors)
    original = _ingest_text(api_as(bob), first_aid, "b.csv", GOOD[1])
    copy = _ingest_text(api_as(carol), first_aid, "c.csv", NEAR)
    assert copy.status == "rejected_duplicate" and copy.duplicate_of_id == original.id
    near = next(r for r in copy.receipt if r["check"] == "near_duplicate")
    assert near["outcome"] == "fail" and near["duplicate_of"] == original.id and near["value"] >= 0.8


@pytest.mark.parametrize("backend", ["db", "configured"])
def test_near_copies_are_still_caught_after_the_threshold_changes(api_as, alice, bob, carol, first_aid, settings,
                                                                  backend):
    """A new threshold means a new LSH banding; records indexed under the old one must still be
    found (with stale band keys the near copy below went through)."""
    from curation import dedup, lsh

    if backend == "db":
        settings.LSH_BACKEND = "db"
    original = _ingest_text(api_as(bob), first_aid, "a.csv", GOOD[1])
    before = dedup.band_params(first_aid)
    response = api_as(alice).patch(f"/api/v1/datanets/{first_aid.slug}/", {"near_dup_threshold": 0.6}, format="json")
    assert response.status_code == 200
    first_aid.refresh_from_db()
    assert dedup.band_params(first_aid) != before == lsh.optimal_bands(128, 0.8)
    copy = _ingest_text(api_as(carol), first_aid, "b.csv", NEAR)
    assert copy.status == "rejected_duplicate" and copy.duplicate_of_id == original.id


def test_an_emptied_redis_index_is_rebuilt_from_the_stored_signatures(api_as, bob, carol, first_aid, settings):
    """Redis keeps nothing on disk here: after a restart (or a flush) the first lookup re-indexes
    the datanet's stored signatures before answering, so an old original still catches its copy."""
    import redis

    from curation import dedup

    settings.LSH_BACKEND = "redis"
    original = _ingest_text(api_as(bob), first_aid, "a.csv", GOOD[1])
    store = dedup.band_store(first_aid)
    client = redis.Redis.from_url(settings.REDIS_URL)
    names = list(client.scan_iter(match=store.datanet_prefix + "*"))
    assert len(names) > 1  # band hashes and the built marker
    client.unlink(*names)
    copy = _ingest_text(api_as(carol), first_aid, "b.csv", NEAR)
    assert copy.status == "rejected_duplicate" and copy.duplicate_of_id == original.id
    assert client.exists(store.prefix + "built")
    client.unlink(*client.scan_iter(match=store.datanet_prefix + "*"))


def test_fields_are_stored_exactly_whatever_json_they_hold(api_as, bob, first_aid):
    """Ingest serialises fields with orjson and falls back to the standard library for what orjson
    refuses (integers beyond 64 bits): either way the record's fields read back as uploaded."""
    import json

    fields = [
        {"text": GOOD[0] + " Ünïcödé, 止血, emoji 🩹.", "source": "kurs", "tags": ["ä", {"deep": [1, 2.5, None]}]},
        {"text": GOOD[2], "source": "course", "id": 123456789012345678901234567890},
    ]
    data = "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in fields).encode()
    sub_id = upload(api_as(bob), first_aid, "fields.jsonl", data).json()["id"]
    while not submission_ingest(submission_id=sub_id, budget_seconds=0):
        pass
    stored = [r.fields for r in Record.objects.filter(submission_id=sub_id).order_by("row")]
    assert stored == fields


def test_an_idle_datanets_index_does_not_reread_other_datanets_records(api_as, alice, bob, first_aid, settings):
    """A worker's copy of a datanet's index starts its next catch-up after the newest record id it
    has seen in the whole table, so records that other datanets added meanwhile are read once
    (by their own datanets' copies), not on every chunk of this one."""
    from curation import dedup

    settings.LSH_BACKEND = "db"
    _ingest_text(api_as(bob), first_aid, "a.csv", GOOD[0])
    other = make_datanet(alice, name="Other", description="Other notes.",
                         record_schema=first_aid.record_schema)
    newest = _ingest_text(api_as(bob), other, "b.csv", GOOD[3]).id
    copy = _ingest_text(api_as(bob), first_aid, "c.csv", GOOD[0] + " Then call for help.")
    mirror = next(m for key, m in dedup._mirrors.items() if key[0] == first_aid.pk)
    assert mirror.seen >= newest
    assert copy.status == "rejected_duplicate"  # and the index still answers
