"""Public pages of the register (no sign-in): the list, a Party's totals, the CSV of a filtered view and the feeds."""
from __future__ import annotations

import csv

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from apps.authorizations.models import LetterStatus, Mechanism
from apps.governance.models import Party, RegisterPublication

from . import selectors
from .charts import bar_chart
from .conditional import not_modified, stamp, validators

PAGE_SIZE = 50


@require_safe
def register_list(request: HttpRequest) -> HttpResponse:
    filters, errors = selectors.parse_filters(request.GET)
    fresh = selectors.freshness(selectors.filtered(filters))
    etag, last_modified = validators(request, fresh, "html")
    if early := not_modified(request, etag, last_modified):
        return early
    cursor = request.GET.get("cursor", "")
    try:
        page = selectors.register_page(filters, cursor, size=PAGE_SIZE)
    except selectors.BadCursor:
        errors["cursor"] = [_("This page link is no longer valid; start again from the first page.")]
        page = selectors.register_page(filters, "", size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    next_query = query.copy()
    if page.next_cursor:
        next_query["cursor"] = page.next_cursor
    response = render(request, "register/list.html", {
        "page": page, "filters": filters, "errors": errors,
        "parties": selectors.published_parties(), "acquiring_parties": Party.objects.filter(is_acquiring=True).order_by("code"),
        "statuses": LetterStatus.choices, "mechanisms": Mechanism.choices, "sorts": sort_choices(),
        "query": query.urlencode(), "next_query": next_query.urlencode() if page.next_cursor else "",
    }, status=400 if errors else 200)
    return stamp(response, etag, last_modified, request) if not errors else response


def sort_choices() -> list[tuple[str, str]]:
    return [("-issued", _("Newest first")), ("issued", _("Oldest first")), ("-quantity", _("Largest quantity first")),
            ("quantity", _("Smallest quantity first")), ("number", _("Letter number"))]


def _published_party(code: str) -> Party:
    if len(code) != 3:
        raise Http404
    party = get_object_or_404(Party, pk=code.upper(), is_host=True)
    if party.register_publication == RegisterPublication.NONE:
        raise Http404
    return party


@require_safe
def register_party(request: HttpRequest, party: str) -> HttpResponse:
    party = _published_party(party)
    fresh = selectors.party_freshness(party)
    etag, last_modified = validators(request, fresh, "party")
    if early := not_modified(request, etag, last_modified):
        return early
    years = selectors.party_years(party)
    response = render(request, "register/party.html", {
        "party": party, "years": years,
        "totals": {"authorized": sum(y.authorized for y in years),
                   "first_transferred": sum(y.first_transferred for y in years),
                   "corresponding_adjustment": sum(y.corresponding_adjustment for y in years)},
        "authorized_chart": bar_chart([(str(y.year), y.authorized) for y in years]),
        "transferred_chart": bar_chart([(str(y.year), y.first_transferred) for y in years]),
    })
    return stamp(response, etag, last_modified, request)


class Echo:
    """csv.writer writes into this and gets each line back, so a row is yielded as soon as it is written."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(value)
    text = str(value) if not hasattr(value, "isoformat") else value.isoformat()
    # A spreadsheet runs a cell starting with one of these as a formula: a title could carry one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(filters: selectors.RegisterFilters):
    writer = csv.writer(Echo())
    yield writer.writerow(selectors.COLUMNS)
    for letter in selectors.iter_letters(filters):
        record = selectors.public_record(letter)
        yield writer.writerow([_csv_cell(record[column]) for column in selectors.COLUMNS])


@require_safe
def register_csv(request: HttpRequest) -> HttpResponse:
    filters, errors = selectors.parse_filters(request.GET)
    if errors:
        return HttpResponse("\n".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    fresh = selectors.freshness(selectors.filtered(filters))
    etag, last_modified = validators(request, fresh, "csv")
    if early := not_modified(request, etag, last_modified):
        return early
    response = StreamingHttpResponse(csv_rows(filters), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="tierflow-register.csv"'
    return stamp(response, etag, last_modified, request)


class PartyFeed(Feed):
    """New letters and status changes of one Party's published letters, newest first (Atom)."""

    feed_type = Atom1Feed

    def get_object(self, request, party: str):
        return _published_party(party)

    def title(self, party: Party) -> str:
        return _("Letters of Authorization of %(party)s") % {"party": party.name}

    def subtitle(self, party: Party) -> str:
        return _("New letters and status changes in the public register.")

    def link(self, party: Party) -> str:
        return reverse("register:party", kwargs={"party": party.code})

    def items(self, party: Party):
        return selectors.status_changes(party)

    def item_title(self, letter) -> str:
        return f"{letter.number} · {letter.get_status_display()} · {letter.application.title}"

    def item_description(self, letter) -> str:
        return _("%(quantity)s tCO2e, vintages %(first)s–%(last)s, issued by %(authority)s.") % {
            "quantity": letter.authorized_quantity, "first": letter.vintage_from, "last": letter.vintage_to,
            "authority": letter.issuing_authority.name}

    def item_link(self, letter) -> str:
        return reverse("letter-check", kwargs={"fingerprint": letter.fingerprint})

    def item_guid(self, letter) -> str:
        # A status change is a new entry: the guid names the letter and the status it reached.
        return f"urn:tierflow:letter:{letter.number}:{letter.status}"

    item_guid_is_permalink = False

    def item_pubdate(self, letter):
        return letter.issued_at

    def item_updateddate(self, letter):
        return letter.updated


_feed = PartyFeed()


@require_safe
def party_feed(request: HttpRequest, party: str) -> HttpResponse:
    party = _published_party(party)
    fresh = selectors.freshness(selectors.filtered(selectors.RegisterFilters(party=party.code)))
    etag, last_modified = validators(request, fresh, "atom")
    if early := not_modified(request, etag, last_modified):
        return early
    return stamp(_feed(request, party=party.code), etag, last_modified, request)
