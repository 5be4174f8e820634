from django.core.management.base import BaseCommand, CommandError

from apps.history.selectors import config_changes


class Command(BaseCommand):
    help = "Every change of one configuration row, field: old → new, by whom and through which page: config_history Membership 12"

    def add_arguments(self, parser) -> None:
        parser.add_argument("model", help="Party, Tier, Jurisdiction, Authority, Membership, DutyAssignment, Requirement or BilateralAgreement")
        parser.add_argument("pk", help="the row's primary key (a Party's or jurisdiction's code, otherwise its number)")

    def handle(self, *args, **options) -> None:
        try:
            changes = config_changes(options["model"], options["pk"])
        except LookupError as error:
            raise CommandError(str(error)) from None
        if not changes:
            self.stdout.write("No recorded change.")
            return
        for change in changes:
            by = change.by or "(no signed-in user: seed data, a shell or a migration)"
            via = f" via {change.via}" if change.via else ""
            self.stdout.write(f"{change.at:%Y-%m-%d %H:%M:%S} UTC  {change.action} by {by}{via}")
            for field, old, new in change.fields:
                self.stdout.write(f"    {field}: {old or '—'} → {new or '—'}")
