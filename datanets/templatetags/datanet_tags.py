from django import template
from django.utils.safestring import mark_safe

from datanets import permissions
from datanets.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 — sanitised by nh3 in render_markdown


@register.simple_tag
def role_of(user, datanet) -> str | None:
    return permissions.role_of(user, datanet)


@register.simple_tag
def can_edit(user, datanet) -> bool:
    return permissions.can_edit(user, datanet)


@register.simple_tag
def can_contribute(user, datanet) -> bool:
    return permissions.can_contribute(user, datanet)


@register.simple_tag
def can_curate(user, datanet) -> bool:
    return permissions.can_curate(user, datanet)
