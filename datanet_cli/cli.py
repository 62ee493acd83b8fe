"""The `datanet` command: argument parsing and what each command prints.

Exit status: 0 done, 1 the server refused something (the message says what and why), 2 a usage
or connection problem, 130 interrupted (run the same command again to resume an upload).
"""

import argparse
import getpass
import json
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from datanet_cli import __version__, config
from datanet_cli.client import Api, ApiError, Unreachable
from datanet_cli.releases import release_download
from datanet_cli.upload import FileResult, UploadState, collect, follow_processing, upload_files

COUNTS = ["total", "invalid", "exact_dup", "near_dup", "low_quality", "queued", "accepted"]
HEADINGS = ["total", "invalid", "exact dup", "near dup", "low q.", "queued", "accepted"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="datanet", description="Command-line client of a Datanets server.")
    p.add_argument("--url", help=f"Server URL (or DATANET_URL; default: the login's, else {config.DEFAULT_URL})")
    p.add_argument("--token", help="API token (or DATANET_TOKEN; default: the one `datanet login` stored)")
    p.add_argument("--json", action="store_true", help="Print the API's JSON instead of tables")
    p.add_argument("--version", action="version", version=f"datanet {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="command")

    login = sub.add_parser("login", help="Exchange a username and password (or store a token) for this server")
    login.add_argument("--username", "-u")
    login.add_argument("--password-stdin", action="store_true", help="Read the password from standard input")

    datanets = sub.add_parser("datanets", help="List, create and show datanets").add_subparsers(
        dest="action", required=True, metavar="action")
    listing = datanets.add_parser("list", help="Datanets you can see")
    listing.add_argument("--mine", action="store_true", help="Only those you are a member of")
    listing.add_argument("--search", "-q", default="", help="Words to look for")
    create = datanets.add_parser("create", help="Create a datanet (you become its owner)")
    create.add_argument("name")
    create.add_argument("--slug")
    create.add_argument("--summary", default="")
    create.add_argument("--description", default="")
    create.add_argument("--tag", action="append", dest="tags", help="Repeat for several tags")
    create.add_argument("--domain")
    create.add_argument("--license")
    create.add_argument("--visibility", choices=["public", "private"])
    create.add_argument("--open", action="store_true", help="Open it for contributions at once (else: draft)")
    show = datanets.add_parser("show", help="One datanet with its policies")
    show.add_argument("slug")

    upload = sub.add_parser("upload", help="Upload files or folders; run it again to resume after an interruption")
    upload.add_argument("datanet", help="The datanet's slug")
    upload.add_argument("paths", nargs="+", help="Files, or folders (their .jsonl/.json/.csv/.txt/.parquet files)")
    upload.add_argument("--no-wait", action="store_true", help="Do not follow the processing")

    status = sub.add_parser("status", help="A submission's status, progress and counts")
    status.add_argument("submission")
    errors = sub.add_parser("errors", help="A submission's per-row error report")
    errors.add_argument("submission")
    errors.add_argument("--format", choices=["table", "csv", "jsonl"], default="table")

    releases = sub.add_parser("releases", help="Download releases").add_subparsers(
        dest="action", required=True, metavar="action")
    download = releases.add_parser("download", help="Download a release's files (default: the newest ready one)")
    download.add_argument("datanet")
    download.add_argument("version", nargs="?", help="e.g. 3 or v3")
    download.add_argument("--output", "-o", type=Path, help="Folder (default: <datanet>-v<version>)")

    rewards = sub.add_parser("rewards", help="Your rewards").add_subparsers(dest="action", required=True,
                                                                             metavar="action")
    rewards.add_parser("balance", help="Your balance and latest ledger entries")
    return p


def main(argv: list[str] | None = None, *, console: Console | None = None, err_console: Console | None = None,
         **hooks: Any) -> int:
    """Run one command. Results go to `console` (stdout), progress bars and errors to `err_console`
    (stderr), so `--json` output stays parseable."""
    args = _parser().parse_args(argv)
    out = console or Console()
    err = err_console or Console(stderr=True)
    settings = config.resolve(url=args.url, token=args.token)
    api = Api(settings.url, settings.token)
    try:
        if args.command != "login" and not settings.token:
            err.print("No API token. Run `datanet login`, or pass --token / set DATANET_TOKEN.", style="red")
            return 2
        return COMMANDS[args.command](api, args, out, err=err, **hooks)
    except ApiError as exc:
        err.print(f"Error: {exc}", style="red", markup=False, highlight=False)
        if exc.status == 401:
            err.print(f"The token ({settings.source}) was refused: run `datanet login` again.", style="red")
        return 1
    except Unreachable as exc:
        err.print(str(exc), style="red")
        return 2
    except KeyboardInterrupt:
        err.print("Interrupted. Run the same command again to resume: finished files are not sent twice.")
        return 130


def _print_json(out: Console, data: Any) -> None:
    out.print_json(json.dumps(data))


def cmd_login(api: Api, args: argparse.Namespace, out: Console, **_: Any) -> int:
    if args.token:
        token = args.token
    else:
        username = args.username or input("Username: ")
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
        created = api.post("/api/v1/auth/token/", {
            "username": username, "password": password, "name": f"datanet CLI on {socket.gethostname()}"[:80],
        })
        token = created["token"]
    me = Api(api.url, token).get("/api/v1/me/")
    path = config.write_file(url=api.url, token=token, username=me["username"])
    out.print(f"Logged in to {api.url} as {me['username']}. Token saved in {path}.")
    return 0


def cmd_datanets(api: Api, args: argparse.Namespace, out: Console, **_: Any) -> int:
    if args.action == "list":
        params = {"q": args.search, **({"mine": "true"} if args.mine else {})}
        items = list(api.pages("/api/v1/datanets/", params))
        if args.json:
            _print_json(out, items)
            return 0
        table = Table("slug", "name", "status", "visibility", "records", "your role")
        for d in items:
            table.add_row(d["slug"], d["name"], d["status"], d["visibility"], str(d["record_count"]),
                          d["your_role"] or "")
        out.print(table if items else "No datanets match.")
        return 0
    if args.action == "create":
        body = {k: v for k, v in {
            "name": args.name, "slug": args.slug, "summary": args.summary, "description": args.description,
            "tags": args.tags, "domain": args.domain, "license": args.license, "visibility": args.visibility,
        }.items() if v not in (None, "")}
        datanet = api.post("/api/v1/datanets/", body)
        if args.open:
            datanet = api.patch(f"/api/v1/datanets/{datanet['slug']}/", {"status": "open"})
        if args.json:
            _print_json(out, datanet)
        else:
            out.print(f"Created {datanet['slug']} ({datanet['status']}): {datanet['url']}")
        return 0
    datanet = api.get(f"/api/v1/datanets/{args.slug}/")
    if args.json:
        _print_json(out, datanet)
        return 0
    table = Table(show_header=False, box=None)
    for key in ("slug", "name", "summary", "status", "visibility", "license", "domain", "record_count",
                "contributor_count", "text_field", "near_dup_threshold", "min_quality", "approvals_required",
                "auto_accept_above", "your_role", "url"):
        table.add_row(key, "" if datanet.get(key) is None else str(datanet[key]))
    table.add_row("tags", ", ".join(datanet["tags"]))
    out.print(table)
    return 0


def cmd_upload(api: Api, args: argparse.Namespace, out: Console, *, err: Console, on_file_done=None,
               state_path=None, poll_seconds: float = 1.0, **_: Any) -> int:
    paths = collect(args.paths)
    api.get(f"/api/v1/datanets/{args.datanet}/")  # a wrong slug fails before hashing a gigabyte
    state = UploadState(state_path)
    try:
        results = upload_files(api, args.datanet, paths, state=state, console=err, on_file_done=on_file_done)
    except KeyboardInterrupt:
        err.print(f"Interrupted. {len(state.scope(api.url, args.datanet))} file(s) of this datanet are "
                  "recorded as uploaded; run the same command again to send the rest.")
        return 130
    if not args.no_wait:
        follow_processing(api, results, console=err, poll_seconds=poll_seconds)
    if args.json:
        _print_json(out, [{"file": str(r.path), "sha256": r.sha256, "outcome": r.outcome,
                           "submission": r.submission, "message": r.message, "result": r.final} for r in results])
    else:
        out.print(_upload_table(results))
    return 1 if any(r.outcome == "refused" or r.final.get("status") == "failed" for r in results) else 0


def _upload_table(results: list[FileResult]) -> Table:
    table = Table("file", "outcome", "submission", "status", *HEADINGS, "note")
    table.columns[0].no_wrap = True
    for r in results:
        counts = r.final.get("counts") or {}
        note = r.final.get("error") or r.message
        table.add_row(r.path.name, r.outcome, (r.submission or "")[:8], r.final.get("status", ""),
                      *(str(counts.get(c, "")) for c in COUNTS), note)
    return table


def _submission_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise SystemExit(f"{raw!r} is not a submission id: those look like 8d1f0c7e-52b1-4f7e-9a41-3c0f5f0f2b6d "
                         "(`datanet upload --json` and `datanet status` show them).") from None


def cmd_status(api: Api, args: argparse.Namespace, out: Console, **_: Any) -> int:
    sub = api.get(f"/api/v1/submissions/{_submission_id(args.submission)}/")
    if args.json:
        _print_json(out, sub)
        return 0
    out.print(f"{sub['original_name']} → {sub['datanet']}: {sub['status']} ({sub['progress']:.0%})")
    if sub.get("error"):
        out.print(f"error: {sub['error']}", style="red")
    table = Table(*HEADINGS)
    table.add_row(*(str(sub["counts"].get(c, 0)) for c in COUNTS))
    out.print(table)
    return 1 if sub["status"] == "failed" else 0


def cmd_errors(api: Api, args: argparse.Namespace, out: Console, **_: Any) -> int:
    path = f"/api/v1/submissions/{_submission_id(args.submission)}/errors/"
    if args.format in ("csv", "jsonl"):
        response = api.request("GET", path, params={"download": args.format}, stream=True,
                               headers={"Accept": "*/*"})
        for chunk in response.iter_content(chunk_size=65536):
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return 0
    issues = list(api.pages(path))
    if args.json:
        _print_json(out, issues)
        return 0
    if not issues:
        out.print("No errors: every row was read.")
        return 0
    table = Table("row", "field", "message", "excerpt")
    for issue in issues:
        table.add_row(str(issue["row"]), issue["field"], issue["message"], issue["excerpt"])
    out.print(table)
    return 0


def cmd_releases(api: Api, args: argparse.Namespace, out: Console, *, err: Console, **_: Any) -> int:
    detail, folder, written = release_download(api, args.datanet, args.version, output=args.output, console=err)
    if args.json:
        _print_json(out, {**detail, "folder": str(folder)})
    else:
        out.print(f"{args.datanet} v{detail['version']}: {detail['record_count']} records, Merkle root "
                  f"{detail['merkle_root']}, in {folder}/ ({', '.join(p.name for p in written)})")
    return 0


def cmd_rewards(api: Api, args: argparse.Namespace, out: Console, **_: Any) -> int:
    body = api.get("/api/v1/rewards/balance/")
    if args.json:
        _print_json(out, body)
        return 0
    out.print(f"Balance: {body['balance_display']}")
    table = Table("when", "amount", "reason")
    for entry in body["history"][:20]:
        table.add_row(entry["created_at"][:19].replace("T", " "), entry["amount_display"], entry["reason"])
    if body["history"]:
        out.print(table)
    return 0


COMMANDS = {"login": cmd_login, "datanets": cmd_datanets, "upload": cmd_upload, "status": cmd_status,
            "errors": cmd_errors, "releases": cmd_releases, "rewards": cmd_rewards}
