from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.audit.auditors import grant_auditor, revoke_auditor


class Command(BaseCommand):
    help = "Give a user read access to the audit log and its exports (the Auditors group); --revoke takes it away."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, **options) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        with transaction.atomic():
            (revoke_auditor if options["revoke"] else grant_auditor)(user=user, acting_user=None)
        verb = "is no longer" if options["revoke"] else "is now"
        self.stdout.write(self.style.SUCCESS(f"{user.username} {verb} an auditor."))
