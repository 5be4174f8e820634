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

    try:
        return str(Application._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since renamed still shows, by its name
        return name
