"""Demo ledger for `make run`: one authorized Sabah project, ITMOs issued and first transferred to Korea. Idempotent."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.authorizations import services as workflow
from apps.authorizations.models import Application
from apps.governance.models import Jurisdiction, Party, ProponentOrganisation
from apps.ledger.models import Action
from apps.ledger.services import issue_itmos, transfer_itmos

TITLE = "Demo: Kinabatangan corridor reforestation"


class Command(BaseCommand):
    help = "Create a demo authorization with issued and first-transferred ITMOs (after seed_demo); does nothing twice."

    def handle(self, *args, **options):
        if Action.objects.exists() or Application.objects.filter(title=TITLE).exists():
            self.stdout.write("Demo ledger already present.")
            return
        User = get_user_model()
        try:
            proponent, sabah, federal = (User.objects.get(username=u) for u in ("proponent", "sabah.approver", "federal.approver"))
        except User.DoesNotExist:
            raise CommandError("Run seed_demo first.") from None
        year = timezone.now().year
        data = workflow.ApplicationInput(
            title=TITLE, host_party=Party.objects.get(code="MYS"), jurisdiction=Jurisdiction.objects.get(code="MY-12"),
            sector="Forestry and land use", mitigation_type="Removals", activity_type="Afforestation and reforestation",
            requested_quantity=50_000, vintage_from=year, vintage_to=year + 4, purposes="NDC",
            first_transfer_definition="First international transfer", acquiring_parties=[Party.objects.get(code="KOR")],
            description="Demo data for the ledger and the UNFCCC report.",
        )
        application = workflow.create_application(acting_user=proponent, organisation=ProponentOrganisation.objects.get(members=proponent), data=data)
        workflow.submit_application(application, acting_user=proponent)
        workflow.issue_loa(Application.objects.get(pk=application.pk), acting_user=sabah, authorized_quantity=50_000)
        workflow.approve_ca(Application.objects.get(pk=application.pk), acting_user=federal)
        application = Application.objects.get(pk=application.pk)
        issue_itmos(application=application, acting_user=federal, vintage=year, quantity=10_000, cooperative_approach_id="CA0001")
        transfer_itmos(application=Application.objects.get(pk=application.pk), acting_user=federal, vintage=year,
                       quantity=4_000, to_party=Party.objects.get(code="KOR"))
        self.stdout.write(f"Demo ledger: {application.reference}, 10,000 ITMOs issued, 4,000 first transferred to KOR.")
