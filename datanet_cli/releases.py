"""`datanet releases download`: fetch a release's files, check each against its SHA-256.

Files already in the output folder with the right hash are not fetched again, so an interrupted
download resumes where it stopped.
"""

import hashlib
import os
from pathlib import Path

from rich.console import Console

from datanet_cli.client import Api
from datanet_cli.upload import _bars


def release_find(api: Api, datanet: str, version: str | None) -> dict:
    """The release with this version (`3` or `v3`), or the newest ready one."""
    if version is not None and not version.lower().lstrip("v").isdigit():
        raise SystemExit(f"A version is a number such as 3 or v3 (got {version!r}).")
    wanted = int(version.lower().lstrip("v")) if version else None
    seen = []
    for release in api.pages(f"/api/v1/datanets/{datanet}/releases/"):
        seen.append(release)
        if wanted is None and release["status"] == "ready":
            return release
        if wanted is not None and release["version"] == wanted:
            return release
    if wanted is None:
        raise SystemExit(f"{datanet} has no ready release yet. Its owners cut one on the Releases page.")
    known = ", ".join(f"v{r['version']}" for r in seen) or "none"
    raise SystemExit(f"{datanet} has no release v{wanted} (releases: {known}).")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def release_download(api: Api, datanet: str, version: str | None, *, output: Path | None,
                     console: Console) -> tuple[dict, Path, list[Path]]:
    release = release_find(api, datanet, version)
    if release["status"] != "ready":
        raise SystemExit(f"{datanet} v{release['version']} is {release['status']}, not ready: "
                         "wait for it to finish building (or pick another version).")
    detail = api.get(f"/api/v1/releases/{release['id']}/")
    folder = output or Path(f"{datanet}-v{release['version']}")
    folder.mkdir(parents=True, exist_ok=True)
    files = detail["files"]
    written = []
    with _bars(console) as bars:
        task = bars.add_task(f"Downloading v{release['version']}", total=sum(f["size"] for f in files) or 1)
        for item in files:
            target = folder / item["name"]
            if target.exists() and _sha256(target) == item["sha256"]:
                bars.advance(task, item["size"])
                written.append(target)
                continue
            part = target.with_name(target.name + ".part")
            digest = hashlib.sha256()
            response = api.request("GET", item["url"], stream=True, headers={"Accept": "*/*"})
            with open(part, "wb") as fh:
                for chunk in response.iter_content(chunk_size=1024 * 256):
                    fh.write(chunk)
                    digest.update(chunk)
                    bars.advance(task, len(chunk))
            if digest.hexdigest() != item["sha256"]:
                part.unlink()
                raise SystemExit(f"{item['name']} arrived damaged (its SHA-256 does not match the release's). "
                                 "Run the command again.")
            os.replace(part, target)
            written.append(target)
    return detail, folder, written
