from django import template

from apps.authorizations.models import State

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The translated name of a state code, for the timeline."""
    try:
        return State(value).label
    except ValueError:
        return value
