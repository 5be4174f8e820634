"""An agreement counts only on the days it is in force: not before it was signed or entered into force, not after it ended."""
from datetime import date

import pytest

from apps.governance.models import AgreementKind, BilateralAgreement

pytestmark = pytest.mark.django_db


def agreement(**dates):
    return BilateralAgreement.objects.create(acquiring_party_id="CHE", host_party_id="VNM", instrument="Test agreement", **dates)


def in_force(row, on):
    return BilateralAgreement.objects.in_force(on).filter(pk=row.pk).exists()


def test_an_agreement_counts_from_its_entry_into_force_until_its_end():
    row = agreement(date_signed=date(2022, 6, 24), entry_into_force=date(2023, 1, 10), end_date=date(2030, 12, 31))
    assert not in_force(row, date(2022, 12, 31))
    assert in_force(row, date(2023, 1, 10)) and in_force(row, date(2030, 12, 31))
    assert not in_force(row, date(2031, 1, 1))


def test_where_only_the_signature_is_known_it_counts_from_signature_and_an_undated_one_never():
    signed = agreement(date_signed=date(2024, 11, 25))
    undated = agreement()
    assert not in_force(signed, date(2024, 11, 24)) and in_force(signed, date(2024, 11, 25))
    assert not in_force(undated, date(2030, 1, 1))


def test_the_seed_tells_moUs_and_jcm_partnerships_from_implementing_agreements():
    assert BilateralAgreement.objects.get(acquiring_party_id="KOR", host_party_id="MYS").kind == AgreementKind.MOU
    assert BilateralAgreement.objects.get(acquiring_party_id="CHE", host_party_id="THA").kind == AgreementKind.IMPLEMENTING_AGREEMENT
    assert set(BilateralAgreement.objects.filter(acquiring_party_id="JPN").values_list("kind", flat=True)) == {AgreementKind.JCM_PARTNERSHIP}


def test_every_jcm_partner_in_the_reference_data_is_loaded():
    from apps.governance.reference import read_csv

    partners = {row["alpha_3"] for row in read_csv("jcm_partners.csv")}
    loaded = set(BilateralAgreement.objects.filter(acquiring_party_id="JPN", kind=AgreementKind.JCM_PARTNERSHIP)
                 .values_list("host_party_id", flat=True))
    assert len(partners) == 31 and partners <= loaded
