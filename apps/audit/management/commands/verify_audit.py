from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import verify_and_record


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero at the first broken event. Each run is kept."

    def handle(self, *args, **options) -> None:
        run = verify_and_record(requested_by="manage.py verify_audit")
        if not run.ok:
            raise CommandError(f"Audit chain broken at event #{run.broken_seq}: {run.reason} ({run.checked} events verified before it)")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {run.checked} events verified; head #{run.head_seq} {run.head_hash}."))
