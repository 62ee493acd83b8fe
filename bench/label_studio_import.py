"""Label Studio's own JSON import, timed: the labelling-tool baseline of bench_ingest.py.

Runs under Label Studio's Python (a separate virtualenv: `make bench-label-studio`), never the
project's. Label Studio is set up from scratch in a temporary data directory (SQLite) or a
scratch PostgreSQL database, one user, organisation and text project are created, and the file
is uploaded through its import API (`POST /api/projects/{id}/import`, multipart, as its web page
and SDK do) with Django REST framework's test client: Label Studio's view, parser, serializer and
bulk insert, without network in between. The community edition imports synchronously, so the
request's duration is the import's. Prints one JSON line: status, seconds, tasks stored.

    <label-studio python> bench/label_studio_import.py TASKS.json [--postgres DBNAME]
"""

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tasks")
    parser.add_argument("--postgres", default="", help="scratch database name (dropped and created)")
    args = parser.parse_args()
    os.environ["LABEL_STUDIO_BASE_DATA_DIR"] = tempfile.mkdtemp(prefix="ls-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "core.settings.label_studio"
    if args.postgres:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="root", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{args.postgres}"')
            cur.execute(f'CREATE DATABASE "{args.postgres}"')
        conn.close()
        os.environ.update(DJANGO_DB="default", POSTGRE_NAME=args.postgres, POSTGRE_USER="root", POSTGRE_PASSWORD="",
                          POSTGRE_HOST="127.0.0.1", POSTGRE_PORT="5432")
    else:
        os.environ["DJANGO_DB"] = "sqlite"
    import label_studio

    sys.path.insert(0, os.path.dirname(label_studio.__file__))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from organizations.models import Organization
    from projects.models import Project
    from rest_framework.test import APIClient
    from users.models import User

    user = User.objects.create_user(email="bench@example.com", password="bench-password-1")
    org = Organization.create_organization(created_by=user, title="bench")
    user.active_organization = org
    user.save()
    project = Project.objects.create(
        title="bench", created_by=user, organization=org,
        label_config='<View><Text name="text" value="$text"/>'
                     '<Choices name="ok" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>')
    client = APIClient()
    client.force_authenticate(user=user)
    with open(args.tasks, "rb") as f:
        start = time.perf_counter()
        response = client.post(f"/api/projects/{project.id}/import", {"file": f}, format="multipart")
        seconds = time.perf_counter() - start
    print(json.dumps({"status": response.status_code, "seconds": seconds, "stored": project.tasks.count(),
                      "database": django.db.connection.vendor, "version": label_studio.__version__}))


if __name__ == "__main__":
    main()
