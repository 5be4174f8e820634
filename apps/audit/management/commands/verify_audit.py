from django.core.management.base import BaseCommand, CommandError

from apps.audit.chain import parse_head
from apps.audit.services import verify_and_record


class Command(BaseCommand):
    help = ("Recompute the audit log's hash chain; exit non-zero at the first broken event. Each run is kept. "
            "With --head SEQ:HASH (a head noted outside Tierflow earlier), also check it is still in the chain.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--head", help="a chain head recorded earlier, as SEQ:HASH (or '#SEQ HASH' as printed here)")

    def handle(self, *args, **options) -> None:
        recorded = None
        if options["head"]:
            try:
                recorded = parse_head(options["head"])
            except ValueError as error:
                raise CommandError(str(error)) from None
        run = verify_and_record(requested_by="manage.py verify_audit", recorded_head=recorded)
        if not run.ok:
            raise CommandError(f"Audit chain broken at event #{run.broken_seq}: {run.reason} ({run.checked} events verified before it)")
        checked_head = f"; the recorded head #{recorded[0]} is in it" if recorded else ""
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {run.checked} events verified{checked_head}; head #{run.head_seq} {run.head_hash}."))
