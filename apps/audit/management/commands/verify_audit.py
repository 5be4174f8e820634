from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero at the first broken event."

    def handle(self, *args, **options) -> None:
        checked, chain_break = verify_chain()
        if chain_break is not None:
            raise CommandError(f"Audit chain broken at event #{chain_break.seq}: {chain_break.reason} ({checked} events verified before it)")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
