"""Factories for tests: users with profiles and datanets made through the services."""

import factory
from django.contrib.auth import get_user_model

from accounts.models import Profile
from datanets import services
from datanets.models import Datanet, Membership

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            Profile.objects.get_or_create(user=obj, defaults={"display_name": obj.username.title()})


def make_datanet(owner, *, name: str = "Medical notes", visibility: str = "public", status: str = "open",
                 members: dict | None = None, **fields) -> Datanet:
    datanet = services.datanet_create(owner=owner, name=name, visibility=visibility, **fields)
    if status != Datanet.Status.DRAFT:
        services.datanet_set_status(datanet=datanet, actor=owner, status=Datanet.Status.OPEN)
        if status != Datanet.Status.OPEN:
            services.datanet_set_status(datanet=datanet, actor=owner, status=status)
    for user, role in (members or {}).items():
        Membership.objects.create(datanet=datanet, user=user, role=role)
    datanet.refresh_from_db()
    return datanet


def make_records_in_review(datanet, contributor, texts: list[str], *, scores: list[float] | None = None,
                           status: str = "in_review", embeddings: list | None = None) -> list:
    """Records as ingest leaves them in the review queue (see curation/routing.py), without ingest."""
    import hashlib
    import uuid

    from django.utils import timezone

    from datanets.models import Record, Submission

    sub = Submission.objects.create(datanet=datanet, contributor=contributor, original_name="review.csv",
                                    storage_key=f"test/{uuid.uuid4()}", sha256=uuid.uuid4().hex, format="csv",
                                    status=Submission.Status.DONE)
    records = []
    for row, text in enumerate(texts):
        score = scores[row] if scores else 0.6
        embedding = None
        if embeddings is not None:
            from curation.scoring import embedding_to_bytes

            embedding = embedding_to_bytes(embeddings[row])
        receipt = [{"check": "schema", "outcome": "pass"},
                   {"check": "quality", "outcome": "pass", "value": score, "threshold": datanet.min_quality,
                    "components": {"relevance": score}, "model": "test"},
                   {"check": "route", "outcome": "in_review", "rule": "always review", "threshold": None}]
        records.append(Record.objects.create(
            datanet=datanet, submission=sub, contributor=contributor, row=row, fields={"text": text}, text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(), quality_score=score,
            quality_components={"relevance": score}, model_version="test", status=status, receipt=receipt,
            embedding=embedding, decided_at=timezone.now(),
        ))
    return records
