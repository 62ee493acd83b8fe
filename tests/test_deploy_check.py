"""`manage.py check --deploy` passes in the production profile."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_in_production_profile(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "openledger.settings",
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "prod-" + "x7Gq2!" * 10,
        "ALLOWED_HOSTS": "datanets.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3"),
        "DATA_DIR": str(tmp_path),
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": "datanets",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
