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
