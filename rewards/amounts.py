"""Token amounts: integers in base units (10^-decimals of a token), parsed and formatted exactly.

Pure: no database, no floats on the money path. The symbol and decimals come from settings
(``TOKEN_SYMBOL``, ``TOKEN_DECIMALS``) when Django is configured, and default to OPEN / 18.
"""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

DEFAULT_SYMBOL = "OPEN"
DEFAULT_DECIMALS = 18


def symbol() -> str:
    try:
        from django.conf import settings

        return getattr(settings, "TOKEN_SYMBOL", DEFAULT_SYMBOL)
    except Exception:  # Django not configured: pure use
        return DEFAULT_SYMBOL


def decimals() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "TOKEN_DECIMALS", DEFAULT_DECIMALS))
    except Exception:
        return DEFAULT_DECIMALS


def parse(text: str | int | Decimal, *, places: int | None = None) -> int:
    """'12.5', '12.5 OPEN' or 12 → base units. Raises ValueError with a message a user can act on."""
    places = decimals() if places is None else places
    if isinstance(text, int) and not isinstance(text, bool):
        return text * 10**places
    raw = str(text).strip()
    unit = symbol()
    if raw.upper().endswith(unit.upper()):
        raw = raw[: -len(unit)].strip()
    raw = raw.replace(",", "").replace("_", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount; write a number such as 12.5 or '12.5 {unit}'.") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount; write a number such as 12.5.")
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value(rounding=ROUND_DOWN):
        raise ValueError(f"{text!r} has more than {places} decimal places.")
    return int(scaled)


def format_amount(units: int, *, places: int | None = None, with_symbol: bool = True) -> str:
    """Base units → '12.5 OPEN' (no trailing zeros, thousands separated, exact)."""
    places = decimals() if places is None else places
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(int(units)), 10**places)
    text = f"{sign}{whole:,}"
    if frac:
        text += "." + str(frac).rjust(places, "0").rstrip("0")
    return f"{text} {symbol()}" if with_symbol else text


def multiplied(base: int, *, score: float | None, floor: float, slope: float) -> int:
    """`base × (floor + slope × score)`, score clamped to 0..1, rounded down to a base unit.

    A record without a score gets 1×. The multiplier is taken in millionths so that the money
    stays integer: a float is only ever the policy's rule, never the amount.
    """
    if score is None:
        return base
    score = min(max(float(score), 0.0), 1.0)
    millionths = max(0, round((floor + slope * score) * 1_000_000))
    return base * millionths // 1_000_000
