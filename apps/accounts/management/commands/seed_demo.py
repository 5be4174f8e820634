from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.demo import DEMO_STAFF, seed_demo_accounts
from apps.governance.demo import DEMO_PASSWORD, seed_reference_data


class Command(BaseCommand):
    help = "Load the reference Parties, tiers, authorities and policies, and the demo accounts (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Create the demo accounts even with DEBUG off.")
        parser.add_argument("--no-accounts", action="store_true", help="Load only the reference configuration.")

    def handle(self, *args, force: bool = False, no_accounts: bool = False, **options) -> None:
        if not no_accounts and not settings.DEBUG and not force:
            raise CommandError(
                f"Refusing to create accounts with the password {DEMO_PASSWORD!r} while DEBUG is off. "
                "Use --no-accounts for the reference data only, or --force on a machine nobody else can reach."
            )
        seed_reference_data()
        self.stdout.write("Reference configuration loaded: Parties, tiers, jurisdictions, authorities, duties, agreements.")
        if no_accounts:
            return
        created = seed_demo_accounts()
        self.stdout.write(f"Demo accounts ready (password {DEMO_PASSWORD!r}): admin, proponent, " + ", ".join(DEMO_STAFF))
        if created:
            self.stdout.write(f"Created now: {', '.join(created)}")
