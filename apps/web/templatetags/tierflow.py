from django import template
from django.utils import formats

from apps.authorizations.models import State

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The translated name of a state code, for the timeline."""
    try:
        return State(value).label
    except ValueError:
        return value


@register.filter
def grouped(value):
    """A number in the active language's digits grouping (1,234,567 · 1.234.567), without grouping years elsewhere."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def tonnes(value) -> str:
    """A quantity of tonnes of CO2 equivalent, grouped in the active language."""
    if value is None or value == "":
        return ""
    return f"{grouped(value)}\u00a0tCO2e"
