"""The AEF report: built from the ledger, validated before review, approved only by the report holder, frozen once approved."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from apps.audit.models import AuditEvent
from apps.authorizations.services import TransitionNotAvailable
from apps.governance.models import NDCAccounting, Party
from apps.ledger.selectors import year_adjustment
from apps.ledger.services import transfer_itmos
from apps.reporting import services
from apps.reporting.aef import headings
from apps.reporting.models import Report

from ..factories import issue_verified
from ..ledger.conftest import authorized

YEAR = timezone.now().year


@pytest.fixture
def worked_example(proponent, federal_approver):
    """An NDC authorization from Malaysia to Korea; 5,000 ITMOs of vintage 2026 first transferred this year."""
    application = authorized(proponent, mitigation_type="Removals", sector="Forestry and land use")
    issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=8000)
    transfer_itmos(application=application, acting_user=federal_approver, vintage=2026, quantity=5000,
                   to_party=Party.objects.get(code="KOR"))
    return application


def _json(report: Report) -> dict:
    stream = io.BytesIO()
    services.export_report(report, fmt="json", stream=stream)
    return json.loads(stream.getvalue())


def test_worked_example_ca_equals_the_first_transfer_and_the_actions_row_says_so(worked_example, federal_approver):
    assert year_adjustment(Party.objects.get(code="MYS"), YEAR).corresponding_adjustment == 5000
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    aef = _json(report)
    assert list(aef) == ["Submission", "Authorizations", "Actions", "Holdings", "Authorized entities"]
    [first] = [row for row in aef["Actions"] if row["Action type"] == "First transfer"]
    assert (first["First transferring participating Party ID"], first["Acquiring participating Party ID"]) == ("MYS", "KOR")
    assert (first["Vintage"], first["Quantity (t CO2 eq)"], first["Action subtype"]) == ("2026", "5000", "First transfer to another Party")
    assert (first["Cooperative approach ID"], first["Party ITMO registry ID"], first["First ID"], first["Last ID"]) == ("CA0001", "MYS01", "1", "5000")
    assert [row["Quantity (t CO2 eq)"] for row in aef["Holdings"]] == ["3000"]


def test_every_table_carries_the_aef_headings_in_order(worked_example, federal_approver):
    aef = _json(services.create_report(party="MYS", year=YEAR, acting_user=federal_approver))
    for table, rows in aef.items():
        assert rows and all(list(row) == headings(table) for row in rows), table


def test_csv_zip_and_xlsx_carry_the_same_tables(worked_example, federal_approver):
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    stream = io.BytesIO()
    rows = services.export_report(report, fmt="csv", stream=stream)
    archive = zipfile.ZipFile(stream)
    assert sorted(archive.namelist()) == sorted(f"{t}.csv" for t in headings.__globals__["TABLE_NAMES"])
    actions = list(csv.reader(io.TextIOWrapper(archive.open("Actions.csv"), encoding="utf-8")))
    assert actions[0] == headings("Actions") and len(actions) == 3  # issuance, first transfer
    book_stream = io.BytesIO()
    assert services.export_aef(party="MYS", year=YEAR, fmt="xlsx", stream=book_stream) == rows
    book = load_workbook(book_stream, read_only=True)
    assert book.sheetnames == ["Submission", "Authorizations", "Actions", "Holdings", "Authorized entities"]
    assert [c.value for c in next(book["Holdings"].iter_rows(max_row=1))] == headings("Holdings")


def test_a_report_with_a_validation_error_cannot_go_to_review_and_the_error_names_table_row_and_column(
        proponent, federal_approver):
    application = authorized(proponent)  # the factory's sector and mitigation type are not AEF vocabulary
    issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=10)
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    with pytest.raises(ValidationError) as error:
        services.submit_for_review(report, acting_user=federal_approver)
    messages = error.value.message_dict["aef"]
    assert "Authorizations, row 1, column 'Sector(s)': 'Forestry and other land use' is not an AEF controlled value" in messages
    assert "Actions, row 1, column 'Mitigation type': 'Removal' is not an AEF controlled value" in messages
    assert Report.objects.get(pk=report.pk).state == "draft"
    # Fixing the flagged Authorizations cells fixes the actions that take their mitigation type from it.
    number = application.loa.number
    services.set_correction(report, acting_user=federal_approver, table="Authorizations", row_key=number,
                            column="Sector(s)", value="Forestry and land use")
    services.set_correction(report, acting_user=federal_approver, table="Authorizations", row_key=number,
                            column="Mitigation type", value="Removals")
    assert services.submit_for_review(report, acting_user=federal_approver).state == "in_review"


def test_only_the_report_approval_holder_approves(worked_example, federal_approver, sabah_approver, federal_supervisor):
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    services.submit_for_review(report, acting_user=federal_approver)
    for outsider in (sabah_approver, federal_supervisor):
        with pytest.raises(PermissionDenied):
            services.approve_report(report, acting_user=outsider)
    approved = services.approve_report(report, acting_user=federal_approver)
    assert approved.state == "approved" and len(approved.fingerprint) == 64
    events = list(AuditEvent.objects.filter(subject_type="report", subject_id=str(report.pk)).values_list("event", flat=True))
    assert events == ["report.created", "report.submit_for_review", "report.approve"]


def test_returning_to_draft_needs_a_comment(worked_example, federal_approver):
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    services.submit_for_review(report, acting_user=federal_approver)
    with pytest.raises(ValidationError):
        services.return_to_draft(report, acting_user=federal_approver, comment=" ")
    assert services.return_to_draft(report, acting_user=federal_approver, comment="Check vintages").state == "draft"


def test_an_approved_report_cannot_change_and_a_correction_is_a_new_version(worked_example, federal_approver):
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    services.submit_for_review(report, acting_user=federal_approver)
    report = services.approve_report(report, acting_user=federal_approver)
    before = _json(report)
    transfer_itmos(application=worked_example, acting_user=federal_approver, vintage=2026, quantity=100,
                   to_party=Party.objects.get(code="KOR"))  # a later action does not enter the approved report
    assert _json(Report.objects.get(pk=report.pk)) == before
    with pytest.raises(TransitionNotAvailable):
        services.set_correction(report, acting_user=federal_approver, table="Submission", row_key="1",
                                column="Version", value="9.9")
    with pytest.raises(TransitionNotAvailable):
        services.return_to_draft(report, acting_user=federal_approver, comment="Too late")
    correction = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    assert correction.version == "1.1"
    assert _json(correction)["Submission"][0]["Version"] == "1.1"


def test_a_second_open_report_for_the_same_year_is_refused(worked_example, federal_approver):
    services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    with pytest.raises(TransitionNotAvailable):
        services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)


def test_multi_year_accounting_reports_the_cumulative_and_single_year_the_average(worked_example):
    mys = Party.objects.get(code="MYS")
    mys.ndc_first_year = YEAR - 1
    mys.ndc_last_year = YEAR + 4
    mys.ndc_accounting = NDCAccounting.MULTI_YEAR
    mys.save()
    assert (year_adjustment(mys, YEAR).corresponding_adjustment, year_adjustment(mys, YEAR).cumulative) == (5000, 5000)
    mys.ndc_accounting = NDCAccounting.SINGLE_YEAR
    mys.save()
    assert year_adjustment(mys, YEAR).average_annual == 2500  # 5,000 over the period's first two years


def test_holdings_of_a_past_cut_off_are_replayed_from_the_actions(worked_example, federal_approver):
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    services.submit_for_review(report, acting_user=federal_approver)  # cut-off: 3,000 held
    transfer_itmos(application=worked_example, acting_user=federal_approver, vintage=2026, quantity=1000,
                   to_party=Party.objects.get(code="KOR"))
    report = Report.objects.get(pk=report.pk)
    holdings = _json(report)["Holdings"]
    assert [(h["First ID"], h["Last ID"], h["Quantity (t CO2 eq)"]) for h in holdings] == [("5001", "8000", "3000")]
    current = services.create_report(party="KOR", year=YEAR, acting_user=_korea_preparer())
    assert [h["Quantity (t CO2 eq)"] for h in _json(current)["Holdings"]] == ["5000", "1000"]


def _korea_preparer():
    from apps.governance.models import Authority, Membership, Role
    from django.contrib.auth import get_user_model

    person = get_user_model().objects.create(username="korea.reporter")
    Membership.objects.create(user=person, authority=Authority.objects.get(jurisdiction_id="KR"), role=Role.APPROVER)
    return person


def test_worked_example_bangkok_e_bus_first_transfer_to_switzerland(proponent, federal_approver):
    """Thailand → Switzerland, NDC use: the Bangkok E-Bus Programme, the first ITMOs for NDC use
    (https://www.klik.ch/en/news/news-article/first-ever-itmos-for-ndc-use). The quantity 1,916 t CO2e of
    vintage 2022 is the first transfer as reported in the press in January 2024 (not confirmed from a stored
    source; the ledger arithmetic below does not depend on it)."""
    from ..conftest import user

    thailand = user("thailand.approver")
    application = authorized(proponent, jurisdiction="TH-10", host_party="THA", acquiring_parties=["CHE"],
                             vintage_from=2022, vintage_to=2022, requested_quantity=1916, sector="Transportation",
                             mitigation_type="Emission reductions", actors={"loa": thailand, "ca": thailand})
    # The Bangkok E-Bus approach requires Switzerland's authorization before the first transfer.
    from apps.authorizations.services import authorize_acquisition

    assert application.state == "acquirer_review"
    issue_verified(application=application, acting_user=thailand, vintage=2022, quantity=1916)
    authorize_acquisition(application, acting_user=user("switzerland.approver"))
    application.refresh_from_db()
    transfer_itmos(application=application, acting_user=thailand, vintage=2022, quantity=1916,
                   to_party=Party.objects.get(code="CHE"))
    assert year_adjustment(Party.objects.get(code="THA"), YEAR).corresponding_adjustment == 1916
    report = services.create_report(party="THA", year=YEAR, acting_user=thailand)
    aef = _json(report)
    [row] = [r for r in aef["Actions"] if r["Action type"] == "First transfer"]
    assert (row["First transferring participating Party ID"], row["Acquiring participating Party ID"],
            row["Vintage"], row["Quantity (t CO2 eq)"], row["Party ITMO registry ID"]) == ("THA", "CHE", "2022", "1916", "THA01")
    assert aef["Holdings"] == []  # all of it left Thailand's registry
    # Issued under the approach's own code; the report marks it provisional, then shows the UNFCCC identifier once recorded.
    assert row["Cooperative approach ID"] == "tha-che-bangkok-e-bus (provisional)"
    from apps.governance.models import CooperativeApproach

    CooperativeApproach.objects.filter(code="tha-che-bangkok-e-bus").update(unfccc_id="CA9999")  # a test value, not the real one
    aef = _json(report)  # a draft report is built from the ledger and configuration as they are now
    assert {r["Cooperative approach ID"] for r in aef["Actions"]} == {"CA9999"}
    assert {r["Cooperative approach ID"] for r in aef["Authorizations"]} == {"CA9999"}


def test_holdings_that_differ_from_the_actions_are_flagged(worked_example, federal_approver):
    from apps.ledger.models import Block

    block = Block.objects.get(account__kind="entity")
    Block.objects.filter(pk=block.pk).update(last_id=block.last_id - 10, quantity=block.quantity - 10)  # tampered
    report = services.create_report(party="MYS", year=YEAR, acting_user=federal_approver)
    with pytest.raises(ValidationError) as error:
        services.submit_for_review(report, acting_user=federal_approver)
    assert any(m.startswith("Holdings") and "total 2990 but the Actions give 3000" in m for m in error.value.message_dict["aef"])
