"""Where the client finds its server and token: a flag, then the environment, then the config file.

`datanet login` writes the config file (`~/.config/datanet/config.json`, or under
`$XDG_CONFIG_HOME`), readable by its owner only. Upload state, which lets an interrupted upload
resume, lives beside it in `uploads.json`.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8000"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "datanet"


def config_path() -> Path:
    return config_dir() / "config.json"


def read_file() -> dict:
    path = config_path()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Cannot read {path}: {exc}. Delete it and run `datanet login` again.") from exc
    return data if isinstance(data, dict) else {}


def write_file(*, url: str, token: str, username: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    # Created 0600 before anything is written into it: the token is a password.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"url": url, "token": token, "username": username}, fh, indent=2)
    os.replace(tmp, path)
    return path


@dataclass(frozen=True)
class Settings:
    url: str
    token: str | None
    source: str  # where the token came from, for error messages


def resolve(*, url: str | None, token: str | None) -> Settings:
    stored = read_file()
    resolved_url = url or os.environ.get("DATANET_URL") or stored.get("url") or DEFAULT_URL
    if token:
        return Settings(resolved_url.rstrip("/"), token, "--token")
    if os.environ.get("DATANET_TOKEN"):
        return Settings(resolved_url.rstrip("/"), os.environ["DATANET_TOKEN"], "DATANET_TOKEN")
    # A stored token belongs to the server it was created on.
    if stored.get("token") and stored.get("url", "").rstrip("/") == resolved_url.rstrip("/"):
        return Settings(resolved_url.rstrip("/"), stored["token"], str(config_path()))
    return Settings(resolved_url.rstrip("/"), None, "")
