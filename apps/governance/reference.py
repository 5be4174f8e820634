"""The reference configuration the demo starts from, read from `refdata/` (each row keeps its source).

The CSV files are copies of the team's researched reference data; ISO codes and
subdivision names come from pycountry (Debian iso-codes). Where a fact is marked
UNVERIFIED in the source column, it is shipped as-is and says so.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pycountry

from .models import HOST_DUTIES, MECHANISM_DUTIES, Duty

REFDATA = Path(__file__).resolve().parent / "refdata"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(REFDATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def parse_date(value: str) -> date | None:
    """Dates in the sources are YYYY-MM-DD or only YYYY-MM (then the first of the month)."""
    value = (value or "").strip()
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


@dataclass(frozen=True)
class HostParty:
    code: str
    alpha_2: str
    timezone: str
    tiers: tuple[str, ...]  # top first
    duty_tiers: dict[str, str]
    sla_days: dict[str, int]
    next_tier_may_act: bool = False
    authority_row: str = "national"  # the `level` in authorities.csv for the top authority
    authority_short: str = ""
    requirements: list[dict] = field(default_factory=list)
    letter_language: str = ""  # the official language printed beside English on its letters ("" = English only)


# Every duty of a host Party whose national authority holds them all, the Article 6.4 approvals included.
NATIONAL_DUTIES = (*HOST_DUTIES, *MECHANISM_DUTIES)

BILATERAL_REQUIREMENT = {
    "kind": "bilateral_agreement",
    "message": "Authorizing use towards an acquiring Party's NDC needs a bilateral agreement between the host and that Party.",
    "source": "Paris Agreement Art. 6.2; decision 2/CMA.3 annex (participation responsibilities)",
}

HOSTS = [
    HostParty(
        code="MYS", alpha_2="MY", timezone="Asia/Kuala_Lumpur", tiers=("Federal", "State"),
        # The federal ministry is the designated national authority for the mechanism, as it was for the CDM.
        duty_tiers={Duty.LOA_ISSUANCE: "State", Duty.CA_APPROVAL: "Federal", Duty.REPORT_APPROVAL: "Federal",
                    Duty.MECHANISM_APPROVAL: "Federal", Duty.CDM_TRANSITION_APPROVAL: "Federal"},
        sla_days={Duty.LOA_ISSUANCE: 30, Duty.CA_APPROVAL: 20, Duty.REPORT_APPROVAL: 30, Duty.MECHANISM_APPROVAL: 30,
                  Duty.CDM_TRANSITION_APPROVAL: 30},
        next_tier_may_act=True, authority_row="federal", authority_short="NRES",
        requirements=[BILATERAL_REQUIREMENT], letter_language="ms",
    ),
    HostParty(
        code="IDN", alpha_2="ID", timezone="Asia/Jakarta", tiers=("National", "Province"),
        duty_tiers={d: "National" for d in NATIONAL_DUTIES}, sla_days={d: 30 for d in NATIONAL_DUTIES},
        authority_short="KLH", letter_language="id",
        requirements=[
            {"kind": "field_required", "field": "host_registry_id",
             "message": "Indonesia requires the activity's SRN-PPI registration number before submission.",
             "source": "Perpres 98/2021, replaced by Perpres 110/2025 (SRN PPI national registry); refdata/authorities.csv"},
            BILATERAL_REQUIREMENT,
        ],
    ),
    HostParty(
        code="THA", alpha_2="TH", timezone="Asia/Bangkok", tiers=("National", "Province"),
        duty_tiers={d: "National" for d in NATIONAL_DUTIES}, sla_days={d: 30 for d in NATIONAL_DUTIES},
        authority_short="TGO", letter_language="th",
        requirements=[
            BILATERAL_REQUIREMENT,
            # Standard T-VER credits stay in Thailand; Premium T-VER is the programme built for Article 6. An activity
            # under a bilateral approach of its own (the Bangkok e-bus programme) names no T-VER programme at all.
            {"kind": "programme_excluded", "programmes": ["t_ver"], "verified": False,
             "message": "A standard T-VER activity is not eligible for Article 6 authorization in Thailand; "
                        "only Premium T-VER activities (or activities under a cooperative approach of their own) are.",
             "source": "seed essay (as it describes Thailand's rules); TGO, Premium T-VER programme (ghgreduction.tgo.or.th), "
                       "not read here"},
        ],
    ),
    HostParty(
        code="VNM", alpha_2="VN", timezone="Asia/Ho_Chi_Minh", tiers=("National", "Province"),
        duty_tiers={d: "National" for d in NATIONAL_DUTIES}, sla_days={d: 30 for d in NATIONAL_DUTIES},
        authority_short="MAE", requirements=[BILATERAL_REQUIREMENT], letter_language="vi",
    ),
    HostParty(
        code="ZWE", alpha_2="ZW", timezone="Africa/Harare", tiers=("National", "Province"),
        duty_tiers={d: "National" for d in NATIONAL_DUTIES}, sla_days={d: 30 for d in NATIONAL_DUTIES},
        authority_short="ZiCMA",
        requirements=[
            {"kind": "field_required", "field": "local_partner", "applies_to": "foreign",
             "message": "Zimbabwe requires a proponent incorporated abroad to name its local cooperative partner.",
             "source": "seed essay (as it describes Zimbabwe's rules); Carbon Trading (General) Regulations 2025, SI 48 of 2025"},
            {"kind": "field_required", "field": "benefit_sharing_plan", "applies_to": "foreign",
             "message": "Zimbabwe requires a proponent incorporated abroad to attach a community benefit-sharing plan.",
             "source": "seed essay (as it describes Zimbabwe's rules); Carbon Trading (General) Regulations 2025, SI 48 of 2025"},
            BILATERAL_REQUIREMENT,
        ],
    ),
]

# Rules an acquiring Party sets on the applications that name it, checked beside the host's.
ACQUIRER_REQUIREMENTS = {
    "CHE": [
        {"kind": "agreement_kind", "agreement_kind": "implementing_agreement",
         "message": "Switzerland counts ITMOs towards its NDC only under a bilateral implementing agreement in force "
                    "with the host Party.",
         "source": "Swiss CO2 Act (SR 641.71) art. 6; FOEN, Bilateral climate agreements: "
                   "https://www.bafu.admin.ch/bafu/en/home/topics/climate/info-specialists/climate--international-affairs/"
                   "staatsvertraege-umsetzung-klimauebereinkommen-von-paris-artikel6.html"},
    ],
}

# Acquiring Parties of the demo, with the alpha-2 code of their top jurisdiction.
ACQUIRERS = {"JPN": "JP", "CHE": "CH", "KOR": "KR", "CAN": "CA", "SGP": "SG", "EUE": "EU"}
ACQUIRER_TIMEZONES = {"JPN": "Asia/Tokyo", "CHE": "Europe/Zurich", "KOR": "Asia/Seoul", "CAN": "America/Toronto",
                      "SGP": "Asia/Singapore", "EUE": "Europe/Brussels"}

# Malaysia's state forestry authorities. Sabah and Sarawak are named in authorities.csv;
# the Peninsular states' department names are the generic form (UNVERIFIED per the source).
MALAYSIAN_STATE_AUTHORITIES = {
    "MY-12": ("Sabah Forestry Department", "SFD"),
    "MY-13": ("Forest Department Sarawak", "FDS"),
}


def first_level_subdivisions(alpha_2: str) -> list[tuple[str, str]]:
    """(code, name) of a country's first administrative level, from pycountry.

    Where ISO's top level is only geographical groupings (Indonesia's islands),
    their children, the provinces, are the first administrative level.
    """
    subdivisions = list(pycountry.subdivisions.get(country_code=alpha_2))
    top = [s for s in subdivisions if s.parent_code is None]
    if top and all(s.type == "Geographical unit" for s in top):
        top = [s for s in subdivisions if s.parent_code is not None]
    return sorted((s.code, s.name) for s in top)
