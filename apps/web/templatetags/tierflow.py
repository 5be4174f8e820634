from django import template
from django.utils import formats
from django.utils.text import capfirst
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
    if event.event == Event.APPLICATION_UPDATED and event.data.get("changed"):
        fields = ", ".join(capfirst(application_field_label(name)) for name in event.data["changed"])
        return f"{Event.APPLICATION_UPDATED.label}: {fields}"
    if event.event == Event.CASE_CLAIMED:
        return _("Case claimed by %(who)s") % {"who": event.data.get("assignee", "")}
    if event.event == Event.CASE_ASSIGNED:
        return _("Case assigned to %(who)s") % {"who": event.data.get("assignee", "")}
    try:
        return str(Event(event.event).label)
    except ValueError:
        return event.event


def _edit_shown(name: str, value) -> str:
    """A value an edit recorded, as the form shows it: a choice by its label, nothing as a dash."""
    from django.core.exceptions import FieldDoesNotExist

    from apps.authorizations.models import Application

    if value in (None, ""):
        return "—"
    try:
        field = Application._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, int) and not isinstance(value, bool) and name != "vintage_from" and name != "vintage_to":
        return grouped(value)
    return str(value)


@register.filter
def edit_values(event) -> list[tuple[str, str, str]]:
    """(field label, old, new) for each field an edit changed; empty for edits recorded before values were kept."""
    if event.event != Event.APPLICATION_UPDATED:
        return []
    return [(capfirst(application_field_label(name)), _edit_shown(name, old), _edit_shown(name, new))
            for name, (old, new) in sorted((event.data.get("values") or {}).items())]


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
def _anchor_of(field) -> str:
    """The control an error link moves to: the field's own input, or the first box of a group of checkboxes."""
    if field.id_for_label:
        return field.id_for_label
    return f"{field.auto_id}_0" if field.auto_id else ""


@register.inclusion_tag("web/_error_summary.html")
def error_summary(*forms, title_id: str = "error-summary-title"):
    """The GOV.UK error summary for the forms given: every error, each linking to its field (form-wide ones to the first)."""
    items = []
    for form in forms:
        if form is None or not getattr(form, "errors", None):
            continue
        visible = form.visible_fields()
        first = _anchor_of(visible[0]) if visible else ""
        items += [{"href": first, "message": error} for error in form.non_field_errors()]
        for field in visible:
            items += [{"href": _anchor_of(field), "message": error} for error in field.errors]
        for field in form.hidden_fields():
            items += [{"href": first, "message": error} for error in field.errors]
    return {"items": items, "title_id": title_id}


@register.simple_tag
def has_errors(*forms) -> bool:
    """For the page title's "Error:" prefix."""
    return any(form is not None and getattr(form, "errors", None) for form in forms)


@register.filter
def application_field_label(name: str) -> str:
    """An application field's name as the form labels it (the timeline says which fields an edit changed)."""
    from django.core.exceptions import FieldDoesNotExist

    from apps.authorizations.models import Application

    if name == "acquiring_parties":  # the many-to-many field has no translated verbose name; the form's label does
        return _("Acquiring Parties")
    try:
        return str(Application._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since renamed still shows, by its name
        return name
