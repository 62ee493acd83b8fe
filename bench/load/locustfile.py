"""A mixed load on one datanet: people browsing pages, API clients listing, contributors sending
small batches, curators reviewing. Fixtures come from bench/load/seed.py through LOAD_FIXTURES."""

import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, task

FIXTURES = json.loads(open(os.environ["LOAD_FIXTURES"]).read())
SLUG = FIXTURES["slug"]
_contributors = itertools.cycle(FIXTURES["contributors"])
_curators = itertools.cycle(FIXTURES["curators"])
WORDS = ("bandage wound pressure burn water cool minutes sling splint ankle choking blows breathing recovery "
         "position emergency call casualty scene safe clean cloth raise heart skin film").split()


def _note() -> str:
    # Random words plus a unique tag: neither an exact nor a near duplicate of any other note.
    return " ".join(random.choices(WORDS, k=30)) + f" ({uuid.uuid4().hex})"


class Browser(HttpUser):
    weight = 5
    wait_time = between(0.5, 2)

    @task(3)
    def explore(self):
        self.client.get(f"/?q={random.choice(WORDS)}", name="page: explore search")

    @task(3)
    def datanet_page(self):
        self.client.get(f"/d/{SLUG}/", name="page: datanet")

    @task(1)
    def home(self):
        self.client.get("/", name="page: home")


class ApiReader(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {next(_contributors)}"

    @task(2)
    def datanets(self):
        self.client.get("/api/v1/datanets/", name="api: datanets list")

    @task(3)
    def records(self):
        self.client.get(f"/api/v1/datanets/{SLUG}/records/?page_size=50", name="api: records list")


class Contributor(HttpUser):
    weight = 2
    wait_time = between(2, 5)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {next(_contributors)}"

    @task
    def send_batch(self):
        body = {"records": [{"text": _note()} for _ in range(3)]}
        with self.client.post(f"/api/v1/datanets/{SLUG}/records/", json=body, name="api: send 3 records",
                              catch_response=True) as r:
            if r.status_code != 202:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
        self.client.get(f"/api/v1/submissions/{r.json()['id']}/", name="api: submission status")


class Curator(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {next(_curators)}"

    @task
    def review_one(self):
        with self.client.post(f"/api/v1/datanets/{SLUG}/review/next/", name="api: review next",
                              catch_response=True) as r:
            if r.status_code == 204:
                r.success()  # an empty queue is an answer, not an error
                return
            if r.status_code != 200:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
        record = r.json()["id"]
        decision = random.choice(["accept", "accept", "reject"])
        body = {"record": record, "decision": decision}
        if decision == "reject":
            body["reason"] = "off_topic"
        with self.client.post("/api/v1/reviews/", json=body, name="api: review decide", catch_response=True) as d:
            if d.status_code not in (200, 201):
                d.failure(f"{d.status_code}: {d.text[:200]}")


class Healthz(HttpUser):
    """The baseline: the cheapest request the server answers, at the same user count."""

    wait_time = between(0.5, 2)

    @task
    def healthz(self):
        self.client.get("/healthz", name="healthz")
