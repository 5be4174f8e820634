from django.core.management.base import BaseCommand

from apps.authorizations.matrix import as_markdown


class Command(BaseCommand):
    help = "Print the permission matrix (role × tier × transition) derived from the permission rules, as Markdown."

    def handle(self, *args, **options) -> None:
        self.stdout.write(as_markdown())
