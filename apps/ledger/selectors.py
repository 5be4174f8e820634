"""Reads of the ledger: corresponding adjustments per Party and year, and the recomputation check."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from apps.authorizations.models import State
from apps.governance.models import NDCAccounting, Party

from .models import Action, ActionType, Block, MonitoringReport


def party_zone(party: Party | str) -> ZoneInfo:
    """The Party's own time zone: its calendar year is the year its CA and its AEF count in."""
    name = party.timezone if isinstance(party, Party) else Party.objects.filter(pk=party).values_list("timezone", flat=True).first()
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def year_bounds(party: Party | str, year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of `year` at midnight in the Party's time zone, as aware datetimes."""
    zone = party_zone(party)
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def local_year(party: Party | str, at: datetime) -> int:
    return at.astimezone(party_zone(party)).year


def first_transfer_actions(party_code: str, year: int) -> QuerySet:
    """ITMOs the Party first transferred in its calendar year (added back to its emissions).

    The year is the Party's own: a Thai first transfer at 05:00 on 1 January (UTC+7) counts in
    the new year although it is still 31 December in UTC.
    """
    if not 1 <= year <= 9998:  # beyond what a calendar date can hold: nothing was first transferred then
        return Action.objects.none()
    start, end = year_bounds(party_code, year)
    return Action.objects.filter(party_id=party_code, action_type=ActionType.FIRST_TRANSFER, at__gte=start, at__lt=end)


def ndc_use_actions(party_code: str, year: int) -> QuerySet:
    """ITMOs the Party used towards its NDC for the year (subtracted). Cancellations and OIMP uses are not."""
    return Action.objects.filter(party_id=party_code, action_type=ActionType.USE, purpose="NDC", year_used=year)


@dataclass
class YearAdjustment:
    year: int
    first_transferred: int
    used: int
    cumulative: int = 0
    average_annual: float | None = None

    @property
    def corresponding_adjustment(self) -> int:
        """Decision 2/CMA.3 annex, para 8: add ITMOs first transferred, subtract ITMOs used towards the NDC."""
        return self.first_transferred - self.used


@dataclass
class PartyAdjustments:
    party: Party
    accounting: str
    years: list[YearAdjustment] = field(default_factory=list)

    def for_year(self, year: int) -> YearAdjustment:
        return next((y for y in self.years if y.year == year), YearAdjustment(year, 0, 0))


def adjustments_for(party: Party) -> PartyAdjustments:
    """Every year with a first transfer or an NDC use, plus the NDC period, with running totals.

    Multi-year NDC: the CA applies every year and the cumulative over the period is
    reported. Single-year NDC: the annual figures are tracked and the average annual
    amount over the period so far is what applies to the NDC target year (para 7(a)(ii)).
    """
    added = dict(Action.objects.filter(party=party, action_type=ActionType.FIRST_TRANSFER)
                 .annotate(y=ExtractYear("at", tzinfo=party_zone(party))).values("y").annotate(q=Sum("quantity")).values_list("y", "q"))
    used = dict(Action.objects.filter(party=party, action_type=ActionType.USE, purpose="NDC")
                .values("year_used").annotate(q=Sum("quantity")).values_list("year_used", "q"))
    years = sorted(set(added) | set(used) | set(range(party.ndc_first_year, party.ndc_last_year + 1)))
    result = PartyAdjustments(party=party, accounting=party.ndc_accounting)
    cumulative = 0
    for year in years:
        row = YearAdjustment(year, added.get(year, 0), used.get(year, 0))
        if party.ndc_first_year <= year <= party.ndc_last_year:
            cumulative += row.corresponding_adjustment
            row.cumulative = cumulative
            if party.ndc_accounting == NDCAccounting.SINGLE_YEAR:
                row.average_annual = round(cumulative / (year - party.ndc_first_year + 1), 2)
        else:
            row.cumulative = row.corresponding_adjustment
        result.years.append(row)
    return result


def year_adjustment(party: Party, year: int) -> YearAdjustment:
    return adjustments_for(party).for_year(year)


# --- recomputation -------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceDifference:
    account_id: int
    application_id: int
    vintage: int
    from_actions: int
    from_blocks: int

    def __str__(self) -> str:
        return (f"account {self.account_id}, application {self.application_id}, vintage {self.vintage}: "
                f"actions give {self.from_actions}, blocks hold {self.from_blocks}")


def balance_differences() -> list[BalanceDifference]:
    """Every (account, application, vintage) whose blocks do not hold what its actions moved in minus out.

    Three aggregate queries, whatever the number of actions: the database sums.
    """
    balances: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    incoming = (Action.objects.filter(to_account__isnull=False).values("to_account", "application", "vintage")
                .annotate(q=Sum("quantity")).values_list("to_account", "application", "vintage", "q"))
    outgoing = (Action.objects.filter(from_account__isnull=False).values("from_account", "application", "vintage")
                .annotate(q=Sum("quantity")).values_list("from_account", "application", "vintage", "q"))
    held = (Block.objects.values("account", "application", "vintage")
            .annotate(q=Sum("quantity")).values_list("account", "application", "vintage", "q"))
    for account, application, vintage, q in incoming:
        balances[(account, application, vintage)][0] += q
    for account, application, vintage, q in outgoing:
        balances[(account, application, vintage)][0] -= q
    for account, application, vintage, q in held:
        balances[(account, application, vintage)][1] += q
    return [BalanceDifference(*key, *values) for key, values in sorted(balances.items()) if values[0] != values[1]]


def serial_differences() -> list[str]:
    """Issued serials must equal the serials blocks hold now (none lost, none made up)."""
    issued = dict(Action.objects.filter(action_type=ActionType.ISSUANCE).values("registry_id")
                  .annotate(q=Sum("quantity")).values_list("registry_id", "q"))
    held = dict(Block.objects.values("registry_id").annotate(q=Sum("quantity")).values_list("registry_id", "q"))
    return [f"registry {r}: issued {issued.get(r, 0)}, blocks hold {held.get(r, 0)}"
            for r in sorted(set(issued) | set(held)) if issued.get(r, 0) != held.get(r, 0)]


def first_transfer_differences() -> list[str]:
    """A block is marked first-transferred exactly when First transfer actions cover its serials."""
    problems = []
    marked = Block.objects.filter(first_transferred=True).aggregate(q=Sum("quantity"))["q"] or 0
    recorded = Action.objects.filter(action_type=ActionType.FIRST_TRANSFER).aggregate(q=Sum("quantity"))["q"] or 0
    if marked != recorded:
        problems.append(f"first transfers: actions record {recorded} ITMOs, blocks mark {marked}")
    return problems


def monitoring_reports_of(application) -> list[MonitoringReport]:
    """The application's monitoring reports, oldest first, each with its verification and whether it was issued
    against (`issued`), in one query; none without one before a letter was issued or the host approved a 6.4 activity
    without authorization, since reports are accepted only from then on."""
    if application.loa_id is None and application.state != State.APPROVED_FOR_MECHANISM:
        return []
    issued = Action.objects.filter(verification__monitoring_report=OuterRef("pk"), action_type=ActionType.ISSUANCE)
    return list(MonitoringReport.objects.filter(application=application).select_related("verification", "document")
                .annotate(issued=Exists(issued)).order_by("vintage", "period_from", "pk"))
