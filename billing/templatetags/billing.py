from django import template

register = template.Library()


@register.filter
def minutes(seconds: float | int | None) -> str:
    """Seconds as minutes to one decimal ("0.4", "10"): whole-minute rounding hides short renders."""
    value = round(float(seconds or 0) / 60, 1)
    return f"{value:g}"
