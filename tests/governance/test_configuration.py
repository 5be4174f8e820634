"""Administrators configure a Party on one page; the configuration validates and resolves duties."""
import pytest
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from apps.governance.admin import DutyAssignmentFormSet
from apps.governance.models import Duty, DutyAssignment, Jurisdiction, Party, Tier
from apps.governance.selectors import resolve_duty_holder

pytestmark = pytest.mark.django_db


def test_the_malaysia_page_shows_tiers_duties_and_states(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/governance/party/MYS/change/").content.decode()
    for text in ["Federal", "State", "Sabah", "Sarawak", "Wilayah Persekutuan Kuala Lumpur", "loa_issuance", "ca_approval", "report_approval"]:
        assert text in page, text


@pytest.mark.parametrize("code,duty,holder,escalation", [
    ("MY-12", Duty.LOA_ISSUANCE, "SFD", "NRES"),
    ("MY-13", Duty.LOA_ISSUANCE, "FDS", "NRES"),
    ("MY-14", Duty.LOA_ISSUANCE, "NRES", None),
    ("MY-15", Duty.LOA_ISSUANCE, "NRES", None),
    ("MY-12", Duty.CA_APPROVAL, "NRES", None),
    ("MY-12", Duty.REPORT_APPROVAL, "NRES", None),
    ("ID-KT", Duty.LOA_ISSUANCE, "KLH", None),
    ("ID-KT", Duty.CA_APPROVAL, "KLH", None),
])
def test_a_duty_resolves_to_the_tier_that_holds_it_or_the_next_one_up(code, duty, holder, escalation):
    resolved = resolve_duty_holder(Jurisdiction.objects.get(code=code), duty)
    names = lambda a: None if a is None else (a.short_name or a.name)
    assert names(resolved.authority) == holder
    assert names(resolved.escalation_authority) == escalation


def test_every_host_party_has_its_first_level_subdivisions_as_jurisdictions():
    assert Jurisdiction.objects.filter(party_id="MYS", parent_id="MY").count() == 16
    assert Jurisdiction.objects.get(code="ID-KT").name == "Kalimantan Tengah"
    assert Jurisdiction.objects.filter(party_id="IDN", parent_id="ID").count() >= 34
    assert Jurisdiction.objects.filter(party_id="THA", parent_id="TH").count() == 78
    assert Jurisdiction.objects.filter(party_id="ZWE", parent_id="ZW").count() == 10


def test_a_jurisdiction_must_sit_below_its_parents_tier():
    malaysia = Party.objects.get(code="MYS")
    federal = Tier.objects.get(party=malaysia, order=1)
    bad = Jurisdiction(code="MY-99", name="Nowhere", party=malaysia, tier=federal, parent_id="MY")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "tier" in error.value.message_dict


def test_a_tier_order_is_unique_within_a_party():
    malaysia = Party.objects.get(code="MYS")
    with pytest.raises(ValidationError):
        Tier(party=malaysia, name="District", order=2).full_clean()


def _duty_formset(party: Party, duties: list[str]):
    FormSet = inlineformset_factory(Party, DutyAssignment, formset=DutyAssignmentFormSet,
                                    fields=["duty", "tier", "sla_days", "calendar", "escalation_grace_days"], extra=0)
    tier = party.tiers.first()
    data = {"duty_assignments-TOTAL_FORMS": str(len(duties)), "duty_assignments-INITIAL_FORMS": "0"}
    for i, duty in enumerate(duties):
        data.update({f"duty_assignments-{i}-duty": duty, f"duty_assignments-{i}-tier": tier.pk,
                     f"duty_assignments-{i}-sla_days": 30, f"duty_assignments-{i}-calendar": "calendar",
                     f"duty_assignments-{i}-escalation_grace_days": 5})
    return FormSet(data, instance=party, prefix="duty_assignments")


def test_a_host_party_must_assign_all_three_duties():
    party = Party.objects.create(code="XTA", name="Testland", is_host=True)
    Tier.objects.create(party=party, name="National", order=1)
    formset = _duty_formset(party, [Duty.LOA_ISSUANCE, Duty.CA_APPROVAL])
    assert not formset.is_valid()
    assert "report" in str(formset.non_form_errors()).lower()
    assert _duty_formset(party, list(Duty.values)).is_valid()


def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    counts = lambda: (Party.objects.count(), Jurisdiction.objects.count(), DutyAssignment.objects.count())
    before = counts()
    call_command("seed_demo", "--no-accounts", verbosity=0)
    assert counts() == before


def test_seed_demo_refuses_demo_passwords_when_debug_is_off(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
