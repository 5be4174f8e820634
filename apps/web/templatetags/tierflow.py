from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.authorizations.models import State
from apps.authorizations.workflow import APPLICATION

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The translated name of a state code, for the timeline."""
    try:
        return State(value).label
    except ValueError:
        return value


@register.filter
def event_label(event) -> str:
    """What an audit event of an application means, for its timeline: the transition table's words first."""
    row = APPLICATION.by_event(event.event)
    if row is not None:
        return str(row.event_label)
    if event.event == Event.STAGE_ESCALATED:
        return _("Overdue: escalated to level %(level)s") % {"level": event.data.get("level", "")}
    if event.event == Event.DOCUMENT_ATTACHED:
        return f"{Event.DOCUMENT_ATTACHED.label}: {event.data.get('name', '')}"
    try:
        return str(Event(event.event).label)
    except ValueError:
        return event.event


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
