"""Demo ledger for `make run` (after seed_demo); each part is created once, through the real services.

- Sabah: an authorized reforestation project, 10,000 verified ITMOs issued, 4,000 first transferred to Korea.
- Zimbabwe: an Article 6.4 cookstove activity, authorized, monitored, verified and issued (A6.4ERs,
  with the Adaptation Fund share and the OMGE cancellation).
- Zimbabwe: an Article 6.4 biogas activity the host approved without authorizing its units
  (mitigation contribution A6.4ERs).
"""
from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.authorizations import services as workflow
from apps.authorizations.models import Application
from apps.governance.models import Jurisdiction, Party, ProponentOrganisation
from apps.ledger.services import (
    issue_itmos, record_verification, submit_monitoring_report, transfer_itmos,
)

TITLE = "Demo: Kinabatangan corridor reforestation"
COOKSTOVES = "Demo: Manicaland efficient cookstoves (Article 6.4)"
BIOGAS = "Demo: Masvingo household biogas (Article 6.4, mitigation contribution)"
# Demo values: the first DOE the Supervisory Body accredited (SBM015, February 2025); the reference is invented.
VERIFIER, ACCREDITATION = "Carbon Check (India) Pvt Ltd", "DEMO-A64-DOE-0001"


class Command(BaseCommand):
    help = "Create the demo ledger: a verified 6.2 issuance and transfer, and two Zimbabwe 6.4 activities; does nothing twice."

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            self.users = {u: User.objects.get(username=u) for u in
                          ("proponent", "sabah.approver", "federal.approver", "zimbabwe.approver")}
        except User.DoesNotExist:
            raise CommandError("Run seed_demo first.") from None
        self.organisation = ProponentOrganisation.objects.get(members=self.users["proponent"])
        self.year = timezone.now().year
        for title, build in ((TITLE, self.sabah), (COOKSTOVES, self.cookstoves), (BIOGAS, self.biogas)):
            if Application.objects.filter(title=title).exists():
                self.stdout.write(f"{title}: already present.")
                continue
            self.stdout.write(build())

    def _create(self, **fields) -> Application:
        data = workflow.ApplicationInput(**{"acquiring_parties": [], "description": "Demo data for the ledger and the UNFCCC report.",
                                            **fields})
        return workflow.create_application(acting_user=self.users["proponent"], organisation=self.organisation, data=data)

    def _verified(self, application: Application, quantity: int, claimed: int, officer) -> object:
        report = submit_monitoring_report(
            application=Application.objects.get(pk=application.pk), acting_user=self.users["proponent"], vintage=self.year,
            period_from=date(self.year, 1, 1), period_to=date(self.year, 6, 30), quantity=claimed)
        record_verification(monitoring_report=report, acting_user=officer, verifier=VERIFIER, accreditation=ACCREDITATION,
                            verified_quantity=quantity)
        return report

    def sabah(self) -> str:
        proponent, sabah, federal = self.users["proponent"], self.users["sabah.approver"], self.users["federal.approver"]
        application = self._create(
            title=TITLE, host_party=Party.objects.get(code="MYS"), jurisdiction=Jurisdiction.objects.get(code="MY-12"),
            sector="Forestry and land use", mitigation_type="Removals", activity_type="Afforestation and reforestation",
            requested_quantity=50_000, vintage_from=self.year, vintage_to=self.year + 4, purposes="NDC",
            first_transfer_definition="First international transfer", acquiring_parties=[Party.objects.get(code="KOR")])
        workflow.submit_application(application, acting_user=proponent)
        workflow.issue_loa(Application.objects.get(pk=application.pk), acting_user=sabah, authorized_quantity=50_000)
        workflow.approve_ca(Application.objects.get(pk=application.pk), acting_user=federal)
        report = self._verified(application, 10_000, 10_400, federal)
        issue_itmos(application=Application.objects.get(pk=application.pk), acting_user=federal, vintage=self.year,
                    quantity=10_000, cooperative_approach_id="CA0001", monitoring_report=report)
        transfer_itmos(application=Application.objects.get(pk=application.pk), acting_user=federal, vintage=self.year,
                       quantity=4_000, to_party=Party.objects.get(code="KOR"))
        return f"{application.reference}: 10,000 verified ITMOs issued, 4,000 first transferred to KOR."

    def _zimbabwe(self, title: str, activity: str) -> Application:
        return self._create(
            title=title, host_party=Party.objects.get(code="ZWE"), jurisdiction=Jurisdiction.objects.get(code=activity),
            sector="Energy generation", mitigation_type="Emission reductions", mechanism="article_6_4",
            activity_type="Efficient cookstoves" if "cookstoves" in title else "Household biogas digesters",
            requested_quantity=20_000, vintage_from=self.year, vintage_to=self.year + 4, purposes="OIMP",
            first_transfer_definition="Issuance", local_partner="Demo community cooperative",
            benefit_sharing_plan="Demo plan: a share of proceeds to the participating households.")

    def cookstoves(self) -> str:
        proponent, zimbabwe = self.users["proponent"], self.users["zimbabwe.approver"]
        application = self._zimbabwe(COOKSTOVES, "ZW-MA")
        workflow.submit_application(application, acting_user=proponent)
        workflow.approve_participation(Application.objects.get(pk=application.pk), acting_user=zimbabwe,
                                       comment="Letter of approval DEMO-ZW-LoApproval-0001; A6.4ERs authorized for OIMP.")
        workflow.issue_loa(Application.objects.get(pk=application.pk), acting_user=zimbabwe, authorized_quantity=20_000)
        workflow.approve_ca(Application.objects.get(pk=application.pk), acting_user=zimbabwe)
        report = self._verified(application, 1_000, 1_050, zimbabwe)
        issue_itmos(application=Application.objects.get(pk=application.pk), acting_user=zimbabwe, vintage=self.year,
                    quantity=1_000, cooperative_approach_id="CA0002", monitoring_report=report)
        return (f"{application.reference}: 1,000 verified A6.4ERs issued in the mechanism registry; 50 to the Adaptation Fund, "
                "20 cancelled for OMGE, 930 forwarded to Zimbabwe's registry and first transferred at issuance.")

    def biogas(self) -> str:
        zimbabwe = self.users["zimbabwe.approver"]
        application = self._zimbabwe(BIOGAS, "ZW-MV")
        # The host approved the activity without authorizing its units: mitigation contribution A6.4ERs.
        workflow.submit_application(application, acting_user=self.users["proponent"])
        workflow.approve_without_authorization(Application.objects.get(pk=application.pk), acting_user=zimbabwe,
                                               comment="Letter of approval DEMO-ZW-LoApproval-0002; units not authorized.")
        report = self._verified(application, 500, 520, zimbabwe)
        issue_itmos(application=Application.objects.get(pk=application.pk), acting_user=zimbabwe, vintage=self.year,
                    quantity=500, monitoring_report=report)
        return f"{application.reference}: 500 mitigation contribution A6.4ERs issued (no corresponding adjustment)."
