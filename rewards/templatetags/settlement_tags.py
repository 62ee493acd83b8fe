"""What templates/rewards/partials/settlements.html needs, read for the signed-in user, so any
page can include the partial without its view knowing about settlement."""

from typing import Any

from django import template

from rewards import settlement_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def user_settlements(context: Any) -> dict:
    user = context["request"].user
    return {
        "wallet": settlement_selectors.wallet_of(user=user),
        "summary": settlement_selectors.user_settlement_summary(user=user),
        "items": list(settlement_selectors.user_settlement_items(user=user)[:50]),
    }
