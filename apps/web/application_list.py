"""The applications list an officer can search, filter, sort and export: every choice lives in the URL."""
from __future__ import annotations

import csv
from collections.abc import Iterator

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.authorizations.models import Application, State
from apps.authorizations.selectors import visible_applications
from apps.governance.models import Jurisdiction

SORTS = {"newest": "-pk", "oldest": "pk"}  # keyset pages by id, so the sorts are the two directions of it


class PeriodForm(forms.Form):
    """Applications created between two dates (UTC), either end open."""

    created_from = forms.DateField(label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("created_from") and data.get("created_to") and data["created_from"] > data["created_to"]:
            self.add_error("created_to", _("The end of the period cannot be before its start."))
        return data


def in_period(queryset: QuerySet, filters: dict, field: str = "created_at") -> QuerySet:
    if filters.get("created_from"):
        queryset = queryset.filter(**{f"{field}__date__gte": filters["created_from"]})
    if filters.get("created_to"):
        queryset = queryset.filter(**{f"{field}__date__lte": filters["created_to"]})
    return queryset


class ApplicationListForm(PeriodForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Reference, title or proponent; part of a word is enough."))
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any")), *State.choices])
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[("newest", _("Newest first")), ("oldest", _("Oldest first"))])

    field_order = ["q", "state", "jurisdiction", "created_from", "created_to", "sort"]

    def __init__(self, *args, jurisdictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [("", _("Any"))] + [(j.code, f"{j.code} {j.name}") for j in jurisdictions]

    def clean_q(self) -> str:
        return " ".join((self.cleaned_data.get("q") or "").replace("\x00", "").split())


def jurisdictions_seen(user) -> list[Jurisdiction]:
    """The jurisdictions of the applications the user may see (what the filter offers)."""
    codes = visible_applications(user).values("jurisdiction_id").distinct()
    return list(Jurisdiction.objects.filter(code__in=codes).order_by("code"))


def filtered_applications(user, filters: dict) -> QuerySet:
    queryset = visible_applications(user)
    if filters.get("q"):
        for word in filters["q"].split():
            queryset = queryset.filter(Q(reference__icontains=word) | Q(title__icontains=word) | Q(organisation__name__icontains=word))
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("jurisdiction"):
        queryset = queryset.filter(jurisdiction_id=filters["jurisdiction"])
    queryset = in_period(queryset, filters)
    return queryset.order_by(SORTS.get(filters.get("sort") or "newest", "-pk"))


def page_of(queryset: QuerySet, *, after: int | None, descending: bool, size: int) -> tuple[list[Application], int | None]:
    """One keyset page (rows after the cursor id in the list's direction) and the cursor of the next one."""
    if after:
        queryset = queryset.filter(pk__lt=after) if descending else queryset.filter(pk__gt=after)
    rows = list(queryset.select_related("jurisdiction", "host_party", "organisation")[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].pk
    return rows, None


CSV_COLUMNS = [
    (_("Reference"), lambda a: a.reference), (_("Title"), lambda a: a.title), (_("Proponent"), lambda a: a.organisation.name),
    (_("Host Party"), lambda a: a.host_party_id), (_("Jurisdiction"), lambda a: f"{a.jurisdiction_id} {a.jurisdiction.name}"),
    (_("State"), lambda a: a.get_state_display()), (_("Requested quantity (tCO2e)"), lambda a: a.requested_quantity),
    (_("First vintage"), lambda a: a.vintage_from), (_("Last vintage"), lambda a: a.vintage_to),
    (_("Created (UTC)"), lambda a: a.created_at.isoformat(timespec="seconds")),
    (_("Updated (UTC)"), lambda a: a.updated_at.isoformat(timespec="seconds")),
]


def _cell(value) -> str:
    # A spreadsheet runs a cell that starts like a formula: a title such as "=HYPERLINK(...)" is kept as text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_rows(queryset: QuerySet) -> Iterator[str]:
    """The CSV a line at a time, read from the database in chunks: memory stays flat however long the list."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([str(title) for title, _value in CSV_COLUMNS])  # the BOM tells Excel it is UTF-8
    for application in queryset.select_related("jurisdiction", "organisation").iterator(chunk_size=500):
        yield writer.writerow([_cell(value(application)) for _title, value in CSV_COLUMNS])
