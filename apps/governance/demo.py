"""Loading the reference configuration (the demo accounts are `apps.accounts.demo`); every step is idempotent."""
from __future__ import annotations

from django.db import transaction

from .models import (
    AgreementKind, Authority, BilateralAgreement, CooperativeApproach, Duty, DutyAssignment, Jurisdiction, Party, Requirement, Tier,
)
from .reference import (
    ACQUIRER_REQUIREMENTS, ACQUIRER_TIMEZONES, ACQUIRERS, HOSTS, MALAYSIAN_STATE_AUTHORITIES, first_level_subdivisions, parse_date, read_csv,
)

DEMO_PASSWORD = "demo"
PROPONENT_ORGANISATION = "Borneo Forest Carbon Sdn Bhd"


def _authority_rows() -> dict[tuple[str, str], dict]:
    """authorities.csv keyed by (Party, level); the first row per key is the acting authority."""
    rows: dict[tuple[str, str], dict] = {}
    for row in read_csv("authorities.csv"):
        rows.setdefault((row["party_a3"], row["level"]), row)
    return rows


def _seed_parties() -> None:
    for row in read_csv("countries.csv"):
        code = row["alpha_3"]
        host = next((h for h in HOSTS if h.code == code), None)
        Party.objects.update_or_create(
            code=code,
            defaults={
                "name": row["iso_short_name"].split(" (")[0],
                "is_host": host is not None,
                "is_acquiring": code in ACQUIRERS,
                "timezone": host.timezone if host else ACQUIRER_TIMEZONES.get(code, "UTC"),
                "issuance_requires_verification": host is not None,
                "letter_language": host.letter_language if host else "",
            },
        )


def _seed_host(host, authority_rows) -> None:
    party = Party.objects.get(code=host.code)
    tiers = {
        name: Tier.objects.update_or_create(party=party, order=order, defaults={"name": name})[0]
        for order, name in enumerate(host.tiers, start=1)
    }
    root, _ = Jurisdiction.objects.update_or_create(
        code=host.alpha_2, defaults={"party": party, "name": party.name, "tier": tiers[host.tiers[0]], "parent": None}
    )
    if host.code == "MYS":
        subdivisions = [(r["iso_3166_2"], r["name_ms"]) for r in read_csv("malaysia_subdivisions.csv")]
    else:
        subdivisions = first_level_subdivisions(host.alpha_2)
    for code, name in subdivisions:
        Jurisdiction.objects.update_or_create(
            code=code, defaults={"party": party, "name": name, "tier": tiers[host.tiers[1]], "parent": root}
        )
    top = authority_rows[(host.code, host.authority_row)]
    Authority.objects.update_or_create(
        jurisdiction=root, defaults={"name": top["authority"], "short_name": host.authority_short, "source": top["source"]}
    )
    for duty, tier_name in host.duty_tiers.items():
        DutyAssignment.objects.update_or_create(
            party=party, duty=duty,
            defaults={"tier": tiers[tier_name], "sla_days": host.sla_days[duty], "next_tier_may_act": host.next_tier_may_act},
        )
    for requirement in host.requirements:
        _seed_requirement(party, Requirement.Side.HOST, requirement)


def _seed_requirement(party: Party, side: str, requirement: dict) -> None:
    Requirement.objects.update_or_create(
        party=party, side=side, kind=requirement["kind"], field=requirement.get("field", ""),
        defaults={"message": requirement["message"], "source": requirement["source"],
                  "applies_to": requirement.get("applies_to", "all"), "pattern": requirement.get("pattern", ""),
                  "programmes": requirement.get("programmes", []), "agreement_kind": requirement.get("agreement_kind", ""),
                  "source_verified": requirement.get("verified", True)},
    )


def _seed_malaysian_states(authority_rows) -> None:
    malaysia_source = {row["iso_3166_2"]: row for row in read_csv("malaysia_subdivisions.csv")}
    for code, row in malaysia_source.items():
        if row["category"] != "state":
            continue  # federal territories have no state forestry department: the federal tier acts
        name, short = MALAYSIAN_STATE_AUTHORITIES.get(code, (f"{row['name_ms']} State Forestry Department", ""))
        csv_row = authority_rows.get(("MYS", f"state:{code}"))
        Authority.objects.update_or_create(
            jurisdiction_id=code,
            defaults={"name": name, "short_name": short,
                      "source": csv_row["source"] if csv_row else f"{row['forest_carbon_authority']} ({row['authority_verified']})"},
        )


def _seed_acquirers(authority_rows) -> None:
    for code, alpha_2 in ACQUIRERS.items():
        party = Party.objects.get(code=code)
        tier, _ = Tier.objects.update_or_create(party=party, order=1, defaults={"name": "National"})
        root, _ = Jurisdiction.objects.update_or_create(
            code=alpha_2, defaults={"party": party, "name": party.name, "tier": tier, "parent": None}
        )
        row = authority_rows.get((code, "national")) or authority_rows.get((code, "regional"))
        if row:
            Authority.objects.update_or_create(jurisdiction=root, defaults={"name": row["authority"], "source": row["source"]})
        # Where a cooperative approach asks for it, the acquiring Party's national authority authorizes the acquisition.
        DutyAssignment.objects.update_or_create(party=party, duty=Duty.ACQUIRING_AUTHORIZATION,
                                                defaults={"tier": tier, "sla_days": 30})
        for requirement in ACQUIRER_REQUIREMENTS.get(code, []):
            _seed_requirement(party, Requirement.Side.ACQUIRING, requirement)


def agreement_kind(instrument: str) -> str:
    """The kind an agreements.csv instrument names: an MoU, a JCM arrangement, otherwise an implementing agreement."""
    text = instrument.lower()
    if "mou" in text or "memorandum" in text:
        return AgreementKind.MOU
    if "jcm" in text:
        return AgreementKind.JCM_PARTNERSHIP
    return AgreementKind.IMPLEMENTING_AGREEMENT


def _seed_agreements() -> None:
    known = set(Party.objects.values_list("code", flat=True))
    for row in read_csv("agreements.csv"):
        if row["acquiring_party_a3"] in known and row["host_party_a3"] in known:
            BilateralAgreement.objects.update_or_create(
                acquiring_party_id=row["acquiring_party_a3"], host_party_id=row["host_party_a3"], instrument=row["instrument"],
                defaults={"date_signed": parse_date(row["date_signed"]), "entry_into_force": parse_date(row["entry_into_force"]),
                          "kind": agreement_kind(row["instrument"]), "source": row["source"]},
            )
    for row in read_csv("jcm_partners.csv"):
        if row["alpha_3"] in known:
            BilateralAgreement.objects.update_or_create(
                acquiring_party_id="JPN", host_party_id=row["alpha_3"], instrument="Joint Crediting Mechanism (JCM) bilateral document",
                defaults={"date_signed": parse_date(row["date_signed"]), "kind": AgreementKind.JCM_PARTNERSHIP,
                          "source": row["source"]},
            )


def _seed_cooperative_approaches() -> None:
    for row in read_csv("cooperative_approaches.csv"):
        approach, _ = CooperativeApproach.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "host_party_id": row["host_party_a3"], "purposes": row["purposes"],
                      "unfccc_id": row["unfccc_id"], "initial_report_date": parse_date(row["initial_report_date"]),
                      "status": row["status"], "acquirer_authorization_required": row["acquirer_authorization_required"] == "yes",
                      "source": row["source"]},
        )
        acquirers = row["acquiring_parties_a3"].split()
        approach.acquiring_parties.set(acquirers)
        approach.agreements.set(BilateralAgreement.objects.filter(
            host_party_id=row["host_party_a3"], acquiring_party_id__in=acquirers, instrument=row["agreement_instrument"]))


def _translation_subject(model: str, key: str):
    """The object a translations.csv row names: by code, by jurisdiction, by Party and order, or by Party, kind and field."""
    if model == "party":
        return Party.objects.filter(code=key).first()
    if model == "jurisdiction":
        return Jurisdiction.objects.filter(code=key).first()
    if model == "authority":
        return Authority.objects.filter(jurisdiction_id=key).first()
    if model == "tier":
        party, order = key.split(":")
        return Tier.objects.filter(party_id=party, order=int(order)).first()
    if model == "requirement":
        party, kind, field_name = key.split(":")
        return Requirement.objects.filter(party_id=party, kind=kind, field=field_name).first()
    raise ValueError(f"translations.csv: unknown model {model!r}")


def _seed_translations() -> None:
    """Official local names of authorities, Party and tier names, requirement messages (refdata/translations.csv)."""
    from django.contrib.contenttypes.models import ContentType

    from apps.translations.models import Translation

    for row in read_csv("translations.csv"):
        subject = _translation_subject(row["model"], row["key"])
        if subject is None:
            continue
        Translation.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk), field=row["field"],
            language=row["language"], defaults={"text": row["text"], "source": row["source"]},
        )


@transaction.atomic
def seed_reference_data() -> None:
    """Parties, tiers, jurisdictions, authorities, duty assignments, requirements and agreements."""
    _seed_parties()
    authority_rows = _authority_rows()
    for host in HOSTS:
        _seed_host(host, authority_rows)
    _seed_malaysian_states(authority_rows)
    _seed_acquirers(authority_rows)
    _seed_agreements()
    _seed_cooperative_approaches()
    _seed_translations()
