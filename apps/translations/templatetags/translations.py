from django import template

from ..services import translated

register = template.Library()


@register.filter
def tr(obj, field: str = "name") -> str:
    """`{{ authority|tr }}`, `{{ requirement|tr:"message" }}`: the field in the reader's language, else English."""
    if not hasattr(obj, "_meta"):  # a plain value (a short name chosen by `default`) is shown as it is
        return "" if obj is None else str(obj)
    return translated(obj, field)
