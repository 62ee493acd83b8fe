"""The `datanet` client against a live server: upload a folder, get interrupted, resume without
sending anything twice, follow processing, download a release. Celery runs eagerly in the live
server's thread, so each upload is processed before its 202 comes back."""

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from rich.console import Console

from datanet_cli.cli import main
from datanets.models import Submission
from tests.factories import PASSWORD, UserFactory, make_datanet

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "Apply firm pressure with a clean cloth to stop bleeding from a small cut, then raise the wound.",
    "For a minor burn, cool the skin under cool running water for twenty minutes and cover it loosely.",
    "If someone is choking and cannot breathe, give up to five back blows between the shoulder blades.",
    "Check that the scene is safe before you approach a person who has collapsed in the street.",
    "Keep a person with a suspected spinal injury still and support their head in the position found.",
    "For a nosebleed, sit forward and pinch the soft part of the nose for ten minutes without letting go.",
]


@pytest.fixture
def world(tmp_path, monkeypatch, live_server):
    owner = UserFactory(username="owner")
    dave = UserFactory(username="dave")
    datanet = make_datanet(owner, name="First aid", description="First-aid instructions: bleeding, burns, choking.",
                           auto_accept_above=0.0)
    folder = tmp_path / "contrib"
    (folder / "more").mkdir(parents=True)
    (folder / "a.csv").write_text("text\n" + "\n".join(f'"{t}"' for t in TEXTS[:2]) + "\n")
    (folder / "b.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS[2:4]))
    (folder / "more" / "c.txt").write_text("\n".join(TEXTS[4:]) + "\n")
    (folder / ".hidden.csv").write_text("text\nnot data\n")
    (folder / "notes.md").write_text("# not a data file\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DATANET_URL", live_server.url)
    monkeypatch.delenv("DATANET_TOKEN", raising=False)
    return owner, dave, datanet, folder


def _login(live_server, username: str) -> str:
    response = requests.post(f"{live_server.url}/api/v1/auth/token/",
                             json={"username": username, "password": PASSWORD}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _run(*argv: str, **hooks) -> tuple[int, str]:
    """Exit status and everything printed (results, progress and errors)."""
    code, out, err = _run_split(*argv, **hooks)
    return code, out + err


def _run_split(*argv: str, **hooks) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), console=Console(file=out, width=200, color_system=None),
                err_console=Console(file=err, width=200, color_system=None), **hooks)
    return code, out.getvalue(), err.getvalue()


def _interrupt_after(n: int):
    done = []

    def hook(result):
        done.append(result)
        if len(done) == n:
            raise KeyboardInterrupt

    return hook


def test_upload_a_folder_interrupt_resume_and_download_a_release(world, live_server, tmp_path, monkeypatch):
    owner, dave, datanet, folder = world
    monkeypatch.setenv("DATANET_TOKEN", _login(live_server, "dave"))

    code, out = _run("upload", datanet.slug, str(folder), on_file_done=_interrupt_after(1))
    assert code == 130 and "1 file(s) of this datanet are recorded as uploaded" in out, out
    assert Submission.objects.filter(datanet=datanet).count() == 1

    code, out = _run("upload", datanet.slug, str(folder), poll_seconds=0.1)
    assert code == 0, out
    subs = Submission.objects.filter(datanet=datanet)
    assert sorted(s.original_name for s in subs) == ["a.csv", "b.jsonl", "c.txt"]  # no hidden file, no .md
    assert all(s.status == "done" for s in subs)
    assert "sent before" in out  # the first file was not sent again (local state)
    assert "done" in out and "Processing" in out and "Uploading" in out

    # The client lost its state (a new machine, a crash before the state was written): the server
    # recognises every file by its bytes, and still nothing is stored twice.
    (tmp_path / "config" / "datanet" / "uploads.json").unlink()
    code, out = _run("upload", datanet.slug, str(folder), "--no-wait")
    assert code == 0, out
    assert out.count("on the server") == 3
    assert Submission.objects.filter(datanet=datanet).count() == 3
    sha = {s.sha256 for s in subs}
    assert sha == {hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in (folder / "a.csv", folder / "b.jsonl", folder / "more" / "c.txt")}

    owner_token = _login(live_server, "owner")
    cut = requests.post(f"{live_server.url}/api/v1/datanets/{datanet.slug}/releases/", json={},
                        headers={"Authorization": f"Bearer {owner_token}"}, timeout=60)
    assert cut.status_code == 202, cut.text

    target = tmp_path / "release"
    code, out = _run("releases", "download", datanet.slug, "-o", str(target))
    assert code == 0, out
    assert sorted(p.name for p in target.iterdir()) == ["README.md", "data.jsonl", "data.parquet", "manifest.jsonl"]
    texts = {json.loads(line)["text"] for line in (target / "data.jsonl").read_text().splitlines()}
    assert texts == set(TEXTS)
    assert "v1: 6 records" in out

    # Downloading again fetches nothing new and agrees on the files.
    code, out = _run("releases", "download", datanet.slug, "v1", "-o", str(target))
    assert code == 0 and "v1: 6 records" in out


def test_status_errors_and_a_refused_file(world, live_server, tmp_path, monkeypatch):
    owner, dave, datanet, folder = world
    monkeypatch.setenv("DATANET_TOKEN", _login(live_server, "dave"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "A fine first-aid answer about burns and cool running water."}\nnot json\n')
    empty = tmp_path / "empty.csv"
    empty.write_text("")

    code, out, _ = _run_split("--json", "upload", datanet.slug, str(bad), str(empty), poll_seconds=0.1)
    assert code == 1  # one file was refused
    results = {Path(r["file"]).name: r for r in json.loads(out)}
    assert results["empty.csv"]["outcome"] == "refused" and "empty" in results["empty.csv"]["message"]
    sub_id = results["bad.jsonl"]["submission"]
    assert results["bad.jsonl"]["result"]["counts"]["invalid"] == 1

    code, out = _run("status", sub_id)
    assert code == 0 and "bad.jsonl" in out and "done" in out
    code, out = _run("errors", sub_id)
    assert code == 0 and "2" in out and "JSON" in out

    code, out = _run("upload", "no-such-datanet", str(bad))
    assert code == 1 and "No datanet here" in out and "HTTP 404" in out
    with pytest.raises(SystemExit, match="is not a submission id"):
        _run("status", "not-an-id")


def test_a_wrong_token_says_to_log_in_again(world, monkeypatch):
    monkeypatch.setenv("DATANET_TOKEN", "dn_not-a-token")
    code, out = _run("datanets", "list")
    assert code == 1 and "datanet login" in out and "HTTP 401" in out


def test_console_script_logs_in_and_lists(world, live_server, tmp_path):
    """The real entry point in a subprocess: login writes a private config file that later commands use."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "COLUMNS": "200", "DATANET_URL": live_server.url}
    run = lambda *argv, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "datanet_cli", *argv], input=stdin, capture_output=True, text=True, env=env,
        cwd=ROOT, timeout=120)
    login = run("login", "--username", "owner", "--password-stdin", stdin=PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    assert "Logged in" in login.stdout and "owner" in login.stdout
    path = tmp_path / "config" / "datanet" / "config.json"
    assert path.stat().st_mode & 0o777 == 0o600

    listing = run("datanets", "list", "--mine")
    assert listing.returncode == 0, listing.stderr
    assert "first-aid" in listing.stdout and "owner" in listing.stdout

    created = run("datanets", "create", "Burns and scalds", "--summary", "Treating burns", "--open")
    assert created.returncode == 0, created.stderr
    assert "burns-and-scalds (open)" in created.stdout
    shown = run("--json", "datanets", "show", "burns-and-scalds")
    assert json.loads(shown.stdout)["your_role"] == "owner"

    balance = run("rewards", "balance")
    assert balance.returncode == 0 and "Balance: 0 OPEN" in balance.stdout

    wrong = run("login", "--username", "owner", "--password-stdin", stdin="wrong\n")
    assert wrong.returncode == 1 and "Wrong username or password" in wrong.stderr
