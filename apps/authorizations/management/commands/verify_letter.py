from django.core.management.base import BaseCommand, CommandError

from apps.authorizations.letter_checks import check_letter


class Command(BaseCommand):
    help = "Recompute a Letter of Authorization's fingerprint and compare the letter with its audit event."

    def add_arguments(self, parser) -> None:
        parser.add_argument("number", help="the letter's number, e.g. LOA-MYS-MY12-2026-0001, or its fingerprint")

    def handle(self, *args, **options) -> None:
        result = check_letter(options["number"])
        for line in result.lines:
            self.stdout.write(line)
        if not result.ok:
            raise CommandError(f"Letter {options['number']} does not check out: {result.problem}")
        self.stdout.write(self.style.SUCCESS(f"Letter {result.number} checks out ({'revoked' if result.revoked else 'in force'})."))
