from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.history.selectors import membership_grants


class Command(BaseCommand):
    help = "Who gave (or took) a user's role at an authority, and when: who_granted sabah.approver --jurisdiction MY-12 --role approver"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--jurisdiction", help="ISO 3166-2 code of the authority's jurisdiction, e.g. MY-12")
        parser.add_argument("--role", choices=["reviewer", "approver", "supervisor"])

    def handle(self, *args, **options) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        grants = membership_grants(user=user, jurisdiction_code=options["jurisdiction"], role=options["role"])
        if not grants:
            self.stdout.write("No recorded grant matches.")
            return
        for grant in grants:
            by = grant.by or "(no signed-in user: seed data, a shell or a migration)"
            via = f" via {grant.via}" if grant.via else ""
            self.stdout.write(f"{grant.at:%Y-%m-%d %H:%M:%S} UTC  {grant.role} at {grant.authority} ({grant.jurisdiction}) "
                              f"{grant.action} for {grant.username} by {by}{via}")
