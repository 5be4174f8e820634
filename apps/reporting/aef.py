"""The AEF's five tables built from the ledger and the LoAs, row by row (generators: constant memory).

Column headings and controlled values come from refdata/aef_tables.json (a secondary transcription of the CMA.6 AEF;
its `_source` note says where it comes from and that it is unverified against the UNFCCC template).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from functools import cache
from pathlib import Path

from django.db.models import Q, Sum
from django.utils import timezone

from apps.authorizations.models import FirstTransferDefinition, LetterOfAuthorization, LetterStatus, Mechanism
from apps.ledger.models import HOLDING_KINDS, Action, ActionType, RegistryAccount
from apps.ledger.selectors import party_zone, year_bounds

from .models import Report

# Beside an approach's own code until the UNFCCC identifier is recorded (the AEF's pattern then flags it on validation).
PROVISIONAL = "(provisional)"

SPEC_PATH = Path(__file__).with_name("refdata") / "aef_tables.json"
TABLE_NAMES = ["Submission", "Authorizations", "Actions", "Holdings", "Authorized entities"]


@cache
def spec() -> dict:
    return json.loads(SPEC_PATH.read_text())


@cache
def columns(table: str) -> list[dict]:
    for entry in spec()["tables"]:
        if entry["table"].split(": ", 1)[1] == table:
            return entry["columns"]
    raise KeyError(table)


def headings(table: str) -> list[str]:
    return [c["heading"] for c in columns(table)]


MECHANISM_NOTE = "A6.4ERs of the Article 6.4 mechanism (PACM)"
# Ledger action → AEF action type: an issuance is reported as the ITMOs' Authorization.
AEF_ACTION_TYPE = {ActionType.ISSUANCE: "Authorization"}
AEF_FIRST_TRANSFER_DEFINITION = {
    FirstTransferDefinition.AUTHORIZATION: "Authorisation",
    FirstTransferDefinition.ISSUANCE: "Issuance",
    FirstTransferDefinition.USE_OR_CANCELLATION: "Use or Cancellation",
}


def _date(value, zone=dt_timezone.utc) -> str:
    return timezone.localtime(value, zone).strftime("%d/%m/%Y") if value else ""


def entity_id(party_code: str, organisation_id: int) -> str:
    return f"{party_code}-ENT-{organisation_id:05d}"


@dataclass
class Corrections:
    """Cell values set by the preparer, keyed by (table, row key, column)."""

    cells: dict[tuple[str, str, str], str]

    @classmethod
    def of(cls, report: Report) -> "Corrections":
        if report.pk is None:
            return cls({})
        return cls({(c.table, c.row_key, c.column): c.value for c in report.corrections.all()})

    def apply(self, table: str, key: str, row: dict) -> dict:
        if self.cells:
            for column in row:
                value = self.cells.get((table, key, column))
                if value is not None:
                    row[column] = value
        return row


class AEFBuilder:
    """Rows of each table for one report; each row is (row key, {heading: value})."""

    def __init__(self, report: Report):
        self.report = report
        self.party = report.party
        self.year = report.year
        self.corrections = Corrections.of(report)
        self._authorizations: dict[int, dict] | None = None
        # The reported year is the Party's calendar year, midnight to midnight in its own time zone.
        self.zone = party_zone(self.party)
        self.period_start, self.period_end = year_bounds(self.party, self.year)

    def _date(self, value) -> str:
        return _date(value, self.zone)

    # What the report covers. Table 3 (Actions) lists the actions of the reported year only:
    # the annual information of decision 2/CMA.3 annex para 20 is for the previous calendar year,
    # and the AEF of decision 6/CMA.4 annex II reports each year's actions in that year's
    # submission (Table 4, Holdings, is the position at the end of it). A second year's
    # report so never repeats the first year's actions.
    # Mitigation contribution A6.4ERs are not ITMOs, and forwarding from the mechanism registry to the
    # national registry is no AEF action: neither is reported.
    def _actions(self):
        queryset = (Action.objects.filter(party=self.party, at__gte=self.period_start, at__lt=self.period_end,
                                          mitigation_contribution=False)
                    .exclude(action_type=ActionType.FORWARDING))
        if self.report.frozen_through_action_id is not None:
            queryset = queryset.filter(id__lte=self.report.frozen_through_action_id)
        return queryset

    def count_actions(self) -> int:
        return self._actions().count()

    def _letters(self):
        return (LetterOfAuthorization.objects.filter(application__host_party=self.party, issued_at__lt=self.period_end)
                .select_related("application__organisation", "application__approach").order_by("issued_at", "id"))

    def _approach_ids(self) -> dict[str, str]:
        """What the ledger recorded at issuance → what the report shows: an approach's provisional code becomes its
        UNFCCC identifier once recorded, and stays marked provisional until then."""
        if getattr(self, "_approach_id_map", None) is None:
            from apps.governance.models import CooperativeApproach

            self._approach_id_map = {code: unfccc_id or f"{code} {PROVISIONAL}" for code, unfccc_id in
                                     CooperativeApproach.objects.filter(host_party=self.party).values_list("code", "unfccc_id")}
        return self._approach_id_map

    def _approach_id(self, recorded: str) -> str:
        return self._approach_ids().get(recorded, recorded) if recorded else recorded

    def _application_approach_id(self, application) -> str:
        approach = application.approach
        if approach is None:
            return application.cooperative_approach_id
        return approach.unfccc_id or f"{approach.code} {PROVISIONAL}"

    def rows(self, table: str) -> Iterator[tuple[str, dict]]:
        return {
            "Submission": self.submission, "Authorizations": self.authorizations, "Actions": self.actions,
            "Holdings": self.holdings, "Authorized entities": self.authorized_entities,
        }[table]()

    def submission(self) -> Iterator[tuple[str, dict]]:
        report = self.report
        row = dict.fromkeys(headings("Submission"), "")
        row.update({
            "Party": self.party.code, "Version": report.version, "Reported year": str(self.year),
            "Date of submission": self._date(report.submitted_at or report.approved_at or timezone.now()),
            "First year of the NDC implementation period": str(self.party.ndc_first_year),
            "Last year of the NDC implementation period": str(self.party.ndc_last_year),
        })
        yield "1", self.corrections.apply("Submission", "1", row)

    def authorization_rows(self) -> dict[int, list[tuple[datetime, dict]]]:
        """Application id → its letter versions' corrected Authorizations rows, oldest first, each with its issue time.

        Every version is an authorization the Party reported (a later one supersedes it, the table says when); a
        version that lapsed (its corresponding adjustment refused) never was one and is left out.
        """
        if self._authorizations is None:
            self._authorizations = {}
            for letter in self._letters():
                if letter.status == LetterStatus.LAPSED:
                    continue
                application = letter.application
                row = dict.fromkeys(headings("Authorizations"), "")
                row.update({
                    "Authorization ID": letter.number, "Date of authorization": self._date(letter.issued_at),
                    "Cooperative approach ID": self._application_approach_id(application), "Version of the authorization": str(letter.version),
                    "Authorized quantity": str(letter.authorized_quantity), "Metric": "GHG",
                    "Sector(s)": application.sector, "Activity type(s)": application.activity_type,
                    "Purposes for authorization": letter.purposes,
                    "Authorized Party(ies) ID": ", ".join(letter.acquiring_parties),
                    "Authorized entity(ies) ID": entity_id(self.party.code, application.organisation_id),
                    "Authorized timeframe": f"{letter.vintage_from} - {letter.vintage_to}",
                    "First transfer definition for OIMP": (AEF_FIRST_TRANSFER_DEFINITION.get(letter.first_transfer_definition, "")
                                                           if "OIMP" in letter.purposes else ""),
                    "Additional explanatory information": "; ".join(filter(None, [
                        MECHANISM_NOTE if application.mechanism == Mechanism.ARTICLE_6_4 else "",
                        f"Superseded by a later version on {self._date(letter.status_changed_at)}"
                        if letter.status == LetterStatus.SUPERSEDED and letter.status_changed_at
                        and letter.status_changed_at < self.period_end else "",
                        f"Authorization revoked on {self._date(letter.revoked_at)}"
                        if letter.revoked_at and letter.revoked_at < self.period_end else ""])),
                    "_mechanism": application.mechanism,
                    "_mitigation_type": application.mitigation_type,
                })
                self.corrections.apply("Authorizations", letter.number, row)
                self._authorizations.setdefault(application.pk, []).append((letter.issued_at, row))
        return self._authorizations

    def authorizations(self) -> Iterator[tuple[str, dict]]:
        for versions in self.authorization_rows().values():
            for _issued, row in versions:
                yield row["Authorization ID"], {k: v for k, v in row.items() if not k.startswith("_")}

    def _authorization_of(self, application_id: int, at: datetime | None = None) -> dict:
        """The row of the version that applied at `at` (the last one issued by then), or of the latest version."""
        versions = self.authorization_rows().get(application_id) or []
        applied = [row for issued, row in versions if at is None or issued <= at]
        return (applied or [row for _issued, row in versions][:1] or [{}])[-1]

    def actions(self) -> Iterator[tuple[str, dict]]:
        blank = dict.fromkeys(headings("Actions"), "")
        fields = ("id", "action_type", "subtype", "cooperative_approach_id", "application_id", "first_transferring_party_id",
                  "registry_id", "first_id", "last_id", "quantity", "vintage", "transferring_party_id", "acquiring_party_id",
                  "purpose", "party_id", "year_used", "at", "using_entity__name")
        for a in self._actions().order_by("id").values(*fields).iterator(chunk_size=2000):
            authorization = self._authorization_of(a["application_id"], a["at"])  # the version that applied then
            kind = a["action_type"]
            retiring = kind in (ActionType.USE, ActionType.CANCELLATION, ActionType.VOLUNTARY_CANCELLATION)
            row = dict(blank)
            row.update({
                "Action date": self._date(a["at"]), "Action type": AEF_ACTION_TYPE.get(kind, kind), "Action subtype": a["subtype"],
                "Cooperative approach ID": self._approach_id(a["cooperative_approach_id"]),
                "Authorization ID": authorization.get("Authorization ID", ""),
                "First transferring participating Party ID": a["first_transferring_party_id"],
                "Party ITMO registry ID": a["registry_id"], "First ID": str(a["first_id"]), "Last ID": str(a["last_id"]),
                "Metric": "GHG", "Quantity (t CO2 eq)": str(a["quantity"]),
                "Mitigation type": authorization.get("_mitigation_type", ""), "Vintage": str(a["vintage"]),
                "Transferring participating Party ID": a["transferring_party_id"] or "" if kind == ActionType.ACQUISITION else "",
                "Acquiring participating Party ID": (a["acquiring_party_id"] or "") if kind in (ActionType.FIRST_TRANSFER, ActionType.TRANSFER) else "",
                "Purpose for which the ITMO has been used towards or cancelled for OIMP": a["purpose"] if retiring and a["purpose"] != "NDC" else "",
                "Using/cancelling participating Party ID": a["party_id"] if retiring else "",
                "Using/cancelling authorized entity ID": a["using_entity__name"] or "",
                "Calendar year for which the ITMOs are used towards the Party's NDC": str(a["year_used"] or "") if kind == ActionType.USE else "",
                "Additional explanatory information": MECHANISM_NOTE if authorization.get("_mechanism") == Mechanism.ARTICLE_6_4 else "",
            })
            key = str(a["id"])
            yield key, self.corrections.apply("Actions", key, row)

    def _holding_accounts(self) -> set[int]:
        return set(RegistryAccount.objects.filter(party=self.party, kind__in=HOLDING_KINDS).values_list("pk", flat=True))

    def _movements(self, accounts: set[int]):
        queryset = Action.objects.filter(Q(from_account__in=accounts) | Q(to_account__in=accounts), at__lt=self.period_end)
        if self.report.frozen_through_action_id is not None:
            queryset = queryset.filter(id__lte=self.report.frozen_through_action_id)
        return queryset

    def holdings(self) -> Iterator[tuple[str, dict]]:
        """The Party's holdings at 31 December of the reported year."""
        accounts = self._holding_accounts()
        blank = dict.fromkeys(headings("Holdings"), "")
        for registry, first, last, application_id, ca_id, ft_party, vintage in self._held_blocks(accounts):
            authorization = self._authorization_of(application_id)
            row = dict(blank)
            row.update({
                "Cooperative approach ID": ca_id, "Authorization ID": authorization.get("Authorization ID", ""),
                "First transferring participating Party ID": ft_party, "Party ITMO registry ID": registry,
                "First ID": str(first), "Last ID": str(last), "Metric": "GHG", "Quantity (t CO2 eq)": str(last - first + 1),
                "Mitigation type": authorization.get("_mitigation_type", ""), "Vintage": str(vintage),
                "_application_id": application_id,
            })
            key = f"{registry}:{first}"
            yield key, self.corrections.apply("Holdings", key, row)

    def _held_blocks(self, accounts: set[int]) -> Iterator[tuple]:
        """Streamed from the blocks when nothing moved since the cut-off (the usual case), else replayed."""
        later = Q(at__gte=self.period_end)
        if self.report.frozen_through_action_id is not None:
            later |= Q(id__gt=self.report.frozen_through_action_id)
        moved_since = Action.objects.filter(Q(from_account__in=accounts) | Q(to_account__in=accounts)).filter(later).exists()
        if not moved_since:
            from apps.ledger.models import Block

            yield from (Block.objects.filter(account__in=accounts).order_by("registry_id", "first_id")
                        .values_list("registry_id", "first_id", "last_id", "application_id", "cooperative_approach_id",
                                     "first_transferring_party_id", "vintage").iterator(chunk_size=2000))
            return
        yield from self._replayed_holdings(accounts)

    def _replayed_holdings(self, accounts: set[int]) -> Iterator[tuple]:
        """Replay the movements to the cut-off. Every movement takes the front of a held block, so a dict
        keyed by (registry, first ID) is enough: memory follows the blocks held, not the actions."""
        held: dict[tuple[str, int], tuple] = {}
        fields = ("registry_id", "first_id", "last_id", "from_account_id", "to_account_id", "application_id",
                  "cooperative_approach_id", "first_transferring_party_id", "vintage")
        strings: dict[str, str] = {}
        for registry, first, last, source, target, application_id, ca_id, ft_party, vintage in (
                self._movements(accounts).order_by("id").values_list(*fields).iterator(chunk_size=2000)):
            registry = strings.setdefault(registry, registry)
            if source in accounts:
                current = held.pop((registry, first))
                if last < current[0]:
                    held[(registry, last + 1)] = current
            if target in accounts:
                held[(registry, first)] = (last, application_id, strings.setdefault(ca_id, ca_id),
                                           strings.setdefault(ft_party, ft_party), vintage)
        for (registry, first), (last, application_id, ca_id, ft_party, vintage) in sorted(held.items()):
            yield registry, first, last, application_id, ca_id, ft_party, vintage

    def holdings_from_action_sums(self) -> dict[tuple[int, int], int]:
        """(application, vintage) → ITMOs moved into minus out of the Party's holding accounts (the database sums)."""
        accounts = self._holding_accounts()
        totals: dict[tuple[int, int], int] = {}
        base = self._movements(accounts)
        for side, sign in (("to_account__in", 1), ("from_account__in", -1)):
            for application_id, vintage, quantity in (base.filter(**{side: accounts}).values("application_id", "vintage")
                                                      .annotate(q=Sum("quantity")).values_list("application_id", "vintage", "q")):
                totals[(application_id, vintage)] = totals.get((application_id, vintage), 0) + sign * quantity
        return {key: value for key, value in totals.items() if value}

    def authorized_entities(self) -> Iterator[tuple[str, dict]]:
        seen = set()
        blank = dict.fromkeys(headings("Authorized entities"), "")
        for letter in self._letters():
            application = letter.application
            identifier = entity_id(self.party.code, application.organisation_id)
            approach_id = self._application_approach_id(application)
            if (identifier, approach_id) in seen:
                continue
            seen.add((identifier, approach_id))
            row = dict(blank)
            row.update({
                "Date of the authorization": self._date(letter.issued_at), "Name": application.organisation.name,
                "Country of incorporation": application.organisation.country, "Identification number": identifier,
                "Cooperative approach ID": approach_id,
            })
            key = f"{identifier}:{application.cooperative_approach_id}"
            yield key, self.corrections.apply("Authorized entities", key, row)


def public(row: dict) -> dict:
    """The row without the builder's private keys."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


# --- validation ----------------------------------------------------------------------------

PARTY_COLUMNS = {"Party", "First transferring participating Party ID", "Transferring participating Party ID",
                 "Acquiring participating Party ID", "Using/cancelling participating Party ID", "Country of incorporation"}


@dataclass(frozen=True)
class ValidationIssue:
    table: str
    row: int
    row_key: str
    column: str
    value: str
    message: str
    # Where to fix it: an Action's mitigation type comes from its authorization.
    fix_table: str = ""
    fix_row_key: str = ""
    fix_column: str = ""

    def __str__(self) -> str:
        return f"{self.table}, row {self.row}, column '{self.column}': {self.message}"


def _vocabulary() -> dict[str, tuple[set[str], bool]]:
    """Column → (allowed values, several allowed separated by commas/semicolons)."""
    values = spec()["controlled_values"]
    return {
        "Action type": (set(values["action_type"]), False),
        "Action subtype": (set(values["action_subtype"]), False),
        "Metric": (set(values["metric"]), False),
        "Purposes for authorization": (set(values["purpose_for_authorization"]), False),
        "First transfer definition for OIMP": (set(values["first_transfer_definition_for_OIMP"]), False),
        "Mitigation type": (set(values["mitigation_type"]), False),
        "Sector(s)": (set(values["sectors"]), True),
        "Underlying unit registry ID": (set(values["underlying_unit_registry_id"]) | {"NA"}, False),
    }


def _patterns() -> dict[str, re.Pattern]:
    p = spec()["controlled_values"]["patterns"]
    return {
        "Cooperative approach ID": re.compile(p["cooperative_approach_id"]),
        "Party ITMO registry ID": re.compile(p["party_itmo_registry_id"]),
        "Version": re.compile(p["submission_version"]),
        "Authorized timeframe": re.compile(p["authorized_timeframe"]),
        **{column: re.compile(p["party"]) for column in PARTY_COLUMNS},
        "Authorized Party(ies) ID": re.compile(r"^[A-Z]{3}(, [A-Z]{3})*$"),
    }


def validate(builder: AEFBuilder, limit: int = 200) -> list[ValidationIssue]:
    """Required cells, patterns and vocabularies of every table, and Holdings = the sum of Actions per block."""
    issues: list[ValidationIssue] = []
    vocabulary, patterns = _vocabulary(), _patterns()
    for table in TABLE_NAMES:
        required = [c["heading"] for c in columns(table) if c.get("required") and not c.get("populated_by_CARP")]
        holdings_sum: dict[tuple[int, int], int] = {}
        for number, (key, row) in enumerate(builder.rows(table), start=1):
            def flag(column: str, message: str) -> None:
                fix = (table, key, column)
                if table in ("Actions", "Holdings") and column == "Mitigation type":
                    fix = ("Authorizations", row.get("Authorization ID", ""), column)
                issues.append(ValidationIssue(table, number, key, column, str(row.get(column, "")), message, *fix))
            for column in required:
                if not str(row.get(column, "")).strip():
                    flag(column, "a value is required")
            for column, value in row.items():
                value = str(value).strip()
                if not value or column.startswith("_"):
                    continue
                if column in patterns and not patterns[column].match(value):
                    flag(column, f"'{value}' does not match the AEF format")
                elif column in vocabulary:
                    allowed, several = vocabulary[column]
                    parts = [v.strip() for v in re.split(r"[;,]", value)] if several else [value]
                    wrong = [v for v in parts if v not in allowed]
                    if wrong:
                        flag(column, f"'{wrong[0]}' is not an AEF controlled value")
            if table == "Holdings":
                ident = (row["_application_id"], int(row["Vintage"]) if str(row["Vintage"]).isdigit() else 0)
                holdings_sum[ident] = holdings_sum.get(ident, 0) + int(row["Quantity (t CO2 eq)"] or 0)
            if len(issues) >= limit:
                return issues
        if table == "Holdings":
            expected = builder.holdings_from_action_sums()
            for ident in sorted(set(expected) | set(holdings_sum)):
                if expected.get(ident, 0) != holdings_sum.get(ident, 0):
                    issues.append(ValidationIssue(
                        "Holdings", 0, f"application {ident[0]} vintage {ident[1]}", "Quantity (t CO2 eq)",
                        str(holdings_sum.get(ident, 0)),
                        f"holdings of vintage {ident[1]} total {holdings_sum.get(ident, 0)} but the Actions give {expected.get(ident, 0)}"))
    return issues
