"""Rewards bits that pages of other apps show: a datanet's pool, and token amounts."""

from typing import Any

from django import template

from rewards import amounts, selectors

register = template.Library()


@register.inclusion_tag("rewards/partials/pool_stat.html")
def rewards_pool_stat(datanet: Any) -> dict:
    return {"pool": selectors.pool_status(datanet=datanet), "symbol": amounts.symbol()}


@register.filter
def tokens(units: int) -> str:
    return amounts.format_amount(int(units))
