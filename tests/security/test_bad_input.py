"""Bad input through the public API: each file is refused with a 4xx that says what was wrong and
what to do, and nothing of it is stored — no submission, no record, no object in storage."""

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.storage import default_storage

from datanets.models import Record, Submission
from tests.factories import make_datanet

SCHEMA = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}


@pytest.fixture
def open_datanet(alice):
    return make_datanet(alice, name="Bad input", record_schema=SCHEMA)


def _file(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def _stored_keys(datanet) -> set[str]:
    try:
        dirs, files = default_storage.listdir(f"datanets/{datanet.pk}/submissions")
    except (FileNotFoundError, OSError):
        return set()
    return set(dirs + files)


def _good_lines(n: int) -> bytes:
    return b"".join(json.dumps({"text": f"record number {i} about something"}).encode() + b"\n" for i in range(n))


def _absurd_parquet() -> bytes:
    buf = io.BytesIO()
    table = pa.table({f"c{i}": [f"v{i}"] for i in range(3000)})  # more columns than any record may have keys
    pq.write_table(table, buf)
    return buf.getvalue()


def _truncated_footer_parquet() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"text": ["a record"] * 10}), buf)
    data = bytearray(buf.getvalue())
    # The footer length (4 bytes before the trailing PAR1) claims ~2 GB of metadata.
    data[-8:-4] = (0x7FFFFFF0).to_bytes(4, "little")
    return bytes(data)


BAD_FILES = [
    # (id, file name, bytes, expected status, words the message must contain)
    ("binary named csv", "data.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, 400, ["PNG"]),
    ("zip named jsonl", "data.jsonl", b"PK\x03\x04" + b"\x00" * 200, 400, ["ZIP"]),
    ("invalid utf-8 deep in the file", "data.jsonl",
     _good_lines(3000) + b'{"text": "caf\xe9 au lait"}\n' + _good_lines(10), 400, ["UTF-8", "line 3001"]),
    ("nul byte deep in the file", "data.txt", b"one line of text\n" * 5000 + b"bad\x00line\n", 400, ["NUL", "line 5001"]),
    ("10 MB single line", "data.jsonl", b'{"text": "' + b"a" * (10 * 1024 * 1024) + b'"}\n', 400, ["longer than"]),
    ("json object with a million keys", "data.json",
     b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(1_000_000)) + b"}", 400, ["array"]),
    ("parquet with absurd column count", "data.parquet", _absurd_parquet(), 400, ["columns"]),
    ("parquet with absurd footer size", "data.parquet", _truncated_footer_parquet(), 400, ["Parquet"]),
    ("empty file", "data.csv", b"", 400, ["empty"]),
    ("unknown format", "data.exe", b"MZ\x90\x00", 400, ["Supported formats"]),
]


@pytest.mark.parametrize(("name", "data", "status", "words"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_refused_with_a_message_and_nothing_is_stored(api_as, bob, open_datanet, name, data, status, words):
    before = _stored_keys(open_datanet)  # the data dir outlives each test's database rollback
    response = api_as(bob).post(f"/api/v1/datanets/{open_datanet.slug}/submissions/",
                                {"file": _file(data, name)}, format="multipart")
    assert response.status_code == status, response.content[:500]
    body = response.json()
    message = body["detail"]
    for word in words:
        assert word.lower() in message.lower(), message
    assert body["code"]
    assert not Submission.objects.filter(datanet=open_datanet).exists()
    assert not Record.objects.filter(datanet=open_datanet).exists()
    assert _stored_keys(open_datanet) == before


def test_deeply_nested_record_in_an_api_batch_is_refused(api_as, bob, open_datanet):
    nested = "[" * 100_000 + "]" * 100_000
    body = '{"records": [{"text": "deep", "extra": ' + nested + "}]}"
    response = api_as(bob).post(f"/api/v1/datanets/{open_datanet.slug}/records/", data=body,
                                content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "nest" in response.json()["detail"].lower()
    assert not Submission.objects.filter(datanet=open_datanet).exists()


def test_record_with_a_million_keys_in_an_api_batch_is_refused(api_as, bob, open_datanet, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024
    record = {f"k{i}": i for i in range(1_000_000)}
    record["text"] = "many keys"
    response = api_as(bob).post(f"/api/v1/datanets/{open_datanet.slug}/records/",
                                data=json.dumps({"records": [record]}), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "keys" in response.json()["detail"].lower()
    assert not Submission.objects.filter(datanet=open_datanet).exists()


def test_api_body_over_the_request_size_limit_is_a_413_with_advice(api_as, bob, open_datanet, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    big = {"records": [{"text": "x" * 1000} for _ in range(2000)]}
    response = api_as(bob).post(f"/api/v1/datanets/{open_datanet.slug}/records/",
                                data=json.dumps(big), content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    assert "upload a file" in response.json()["detail"].lower()
    assert not Submission.objects.filter(datanet=open_datanet).exists()


@pytest.mark.parametrize("name", ["../../../etc/passwd.csv", "..\\..\\boot.ini.csv", "bell\x07\x1b[31mred.csv",
                                  "evil\u202egpj.exe.csv", "/absolute/path.csv"])
def test_hostile_file_names_are_stored_under_the_submission_only(api_as, bob, open_datanet, name,
                                                                  django_capture_on_commit_callbacks):
    data = b"text\nhello there this is a record\n" + name.encode("utf-8", "replace")[:0]
    response = api_as(bob).post(f"/api/v1/datanets/{open_datanet.slug}/submissions/",
                                {"file": _file(data + f"{name!r}\n".encode(), name)}, format="multipart")
    assert response.status_code == 202, response.content[:300]
    sub = Submission.objects.get(pk=response.json()["id"])
    assert sub.storage_key.startswith(f"datanets/{open_datanet.pk}/submissions/{sub.pk}/")
    stored_name = sub.storage_key.rsplit("/", 1)[1]
    assert ".." not in sub.storage_key and "\\" not in sub.storage_key
    assert all(ch.isprintable() for ch in sub.original_name) and "/" not in sub.original_name
    assert stored_name.endswith(".csv")


def test_json_depth_ignores_brackets_inside_strings():
    from openledger.parsers import json_depth

    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, [2, {"c": "\\"]]]"}]]}') == 4
    assert json_depth(b"[" * 5000 + b"]" * 5000) == 5000
    assert json_depth(b'"no brackets"') == 0
