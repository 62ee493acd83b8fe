"""`datanet upload`: send files to a datanet, resumably, then follow their processing.

Resuming: every file is known by the SHA-256 of its bytes. A local state file remembers which
hashes became which submission on which server and datanet, so a second run skips them without
sending a byte. If the client died after the server stored a file but before the state was
written, the server recognises the bytes itself (the deterministic `Idempotency-Key`
`upload:<datanet>:<sha256>` replays the first answer; after that key expires the server answers
409 with `existing_submission`), so nothing is ever uploaded twice.
"""

import hashlib
import io
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from datanet_cli.client import Api, ApiError
from datanet_cli.config import config_dir

FORMATS = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".parquet"}
FINISHED = {"done", "failed"}
CHUNK = 1024 * 1024


@dataclass
class FileResult:
    path: Path
    sha256: str
    size: int
    outcome: str = "pending"  # uploaded | skipped (already on the server) | refused
    submission: str | None = None
    message: str = ""
    final: dict = field(default_factory=dict)


def collect(paths: Iterable[str]) -> list[Path]:
    """Files named, and the data files (by extension) under folders named, sorted; hidden ones skipped."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in candidate.relative_to(path).parts)
                if candidate.is_file() and not hidden and candidate.suffix.lower() in FORMATS:
                    found.append(candidate)
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"No such file or folder: {raw}")
    if not found:
        raise SystemExit(f"No data files found (looked for {', '.join(sorted(FORMATS))}).")
    return found


class UploadState:
    """Which file hashes already became a submission, per server and datanet (a JSON file)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "uploads.json"
        try:
            self.data = json.loads(self.path.read_text()) if self.path.exists() else {}
        except (OSError, ValueError):
            self.data = {}  # a damaged state file only costs a question to the server

    def scope(self, url: str, datanet: str) -> dict:
        return self.data.setdefault(f"{url}|{datanet}", {})

    def get(self, url: str, datanet: str, sha256: str) -> str | None:
        entry = self.scope(url, datanet).get(sha256)
        return entry.get("submission") if entry else None

    def remember(self, url: str, datanet: str, sha256: str, submission: str, name: str) -> None:
        self.scope(url, datanet)[sha256] = {"submission": submission, "name": name}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        os.replace(tmp, self.path)  # atomic: an interruption leaves the old or the new state


class MultipartFile(io.RawIOBase):
    """A multipart/form-data body with one file field, read from disk as it is sent.

    (requests would build the whole body in memory; uploads may be a gigabyte.)
    """

    def __init__(self, path: Path, on_read: Callable[[int], None] | None = None) -> None:
        super().__init__()
        boundary = uuid.uuid4().hex
        name = path.name.replace('"', "%22").replace("\r", "").replace("\n", "")
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                      "Content-Type: application/octet-stream\r\n\r\n").encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._path = path
        self._size = path.stat().st_size
        self._on_read = on_read
        self.rewind()

    def rewind(self) -> None:
        if getattr(self, "_file", None):
            self._file.close()
        self._file = open(self._path, "rb")  # noqa: SIM115 (closed in close())
        self._parts = [io.BytesIO(self._head), self._file, io.BytesIO(self._tail)]
        self._sent = 0

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._sent  # requests sizes the body as len() - tell(); IOBase's tell() would fail

    def read(self, n: int = -1) -> bytes:
        n = len(self) if n is None or n < 0 else n
        out = b""
        while self._parts and len(out) < n:
            chunk = self._parts[0].read(n - len(out))
            if not chunk:
                self._parts.pop(0)
                continue
            out += chunk
        self._sent += len(out)
        if self._on_read and out:
            self._on_read(len(out))
        return out

    def close(self) -> None:
        self._file.close()
        super().close()


def _sha256(path: Path, advance: Callable[[int], None]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            advance(len(chunk))
    return digest.hexdigest()


def _bars(console: Console) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                    DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(), console=console)


def upload_files(api: Api, datanet: str, paths: list[Path], *, state: UploadState, console: Console,
                 on_file_done: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Hash, then upload what the server does not have yet, with progress bars over bytes."""
    total = sum(p.stat().st_size for p in paths)
    results: list[FileResult] = []
    with _bars(console) as bars:
        hashing = bars.add_task("Checking", total=total)
        for path in paths:
            size = path.stat().st_size
            results.append(FileResult(path, _sha256(path, lambda n: bars.advance(hashing, n)), size))
        todo = [r for r in results if not state.get(api.url, datanet, r.sha256)]
        for r in results:
            if r not in todo:
                r.outcome, r.submission = "skipped", state.get(api.url, datanet, r.sha256)
                r.message = "sent before"
        sending = bars.add_task("Uploading", total=sum(r.size for r in todo) or 1)
        if not todo:
            bars.update(sending, completed=1)
        for result in todo:
            _send(api, datanet, result, state, advance=lambda n: bars.advance(sending, n))
            if on_file_done:
                on_file_done(result)
    return results


def _send(api: Api, datanet: str, result: FileResult, state: UploadState, advance: Callable[[int], None]) -> None:
    sent = 0

    def on_read(n: int) -> None:
        nonlocal sent
        # Count only the file's bytes; the part headers are a few hundred.
        step = max(0, min(n, result.size - sent))
        sent += step
        advance(step)

    body = MultipartFile(result.path, on_read=on_read)

    def rewind() -> None:
        nonlocal sent
        advance(-sent)
        sent = 0
        body.rewind()

    try:
        response = api.request(
            "POST", f"/api/v1/datanets/{datanet}/submissions/", data=body, ok=(202,), rewind=rewind,
            headers={"Content-Type": body.content_type},
            idempotency_key=f"upload:{datanet}:{result.sha256}",
        )
        result.outcome, result.submission = "uploaded", response.json()["id"]
        if response.headers.get("Idempotent-Replayed") == "true":
            result.outcome, result.message = "skipped", "on the server"
    except ApiError as exc:
        existing = exc.body.get("existing_submission")
        if exc.status == 409 and existing:
            result.outcome, result.submission, result.message = "skipped", existing, "on the server"
        else:
            result.outcome, result.message = "refused", str(exc)
    finally:
        body.close()
    advance(result.size - sent)
    if result.submission:
        state.remember(api.url, datanet, result.sha256, result.submission, result.path.name)


def follow_processing(api: Api, results: list[FileResult], *, console: Console, poll_seconds: float = 1.0,
                      timeout: float | None = None) -> None:
    """Poll each submission until it is done or failed, with one bar per file over its progress."""
    watched = [r for r in results if r.submission]
    if not watched:
        return
    etags: dict[str, str] = {}
    started = time.monotonic()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[status]}"), console=console) as bars:
        tasks = {r.submission: bars.add_task(f"Processing {r.path.name}", total=1.0, status="") for r in watched}
        pending = {r.submission: r for r in watched}
        while pending:
            for sub_id, result in list(pending.items()):
                body = _poll(api, sub_id, etags)
                if body is None:
                    continue
                if body.get("status") == "missing":
                    result.final = body
                    bars.update(tasks[sub_id], completed=1.0, status="not yours to follow")
                    del pending[sub_id]
                    continue
                result.final = body
                bars.update(tasks[sub_id], completed=body.get("progress") or 0.0, status=body["status"])
                if body["status"] in FINISHED:
                    bars.update(tasks[sub_id], completed=1.0)
                    del pending[sub_id]
            if pending:
                if timeout is not None and time.monotonic() - started > timeout:
                    break
                time.sleep(poll_seconds)


def _poll(api: Api, sub_id: str, etags: dict[str, str]) -> dict | None:
    """The submission, or None when unchanged since the last poll (304 on If-None-Match)."""
    headers = {"If-None-Match": etags[sub_id]} if sub_id in etags else {}
    try:
        response = api.request("GET", f"/api/v1/submissions/{sub_id}/", ok=(200, 304), headers=headers)
    except ApiError as exc:
        if exc.status == 404:  # someone else's upload of the same bytes
            return {"status": "missing"}
        raise
    if response.status_code == 304:
        return None
    if response.headers.get("ETag"):
        etags[sub_id] = response.headers["ETag"]
    return response.json()
