from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import events_for, record_export, write_export


class Command(BaseCommand):
    help = "Export the audit events of one application or one Party as CSV or JSON (each row re-hashable on its own)."

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--application", help="application reference, e.g. MYS-MY12-2026-0001")
        which.add_argument("--party", help="host Party alpha-3 code, e.g. MYS")
        which.add_argument("--all", action="store_true", help="the whole chain (links between rows checkable too)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        events = events_for(application=options["application"], party=options["party"], everything=options["all"])
        if not events.exists():
            raise CommandError(f"No audit events for {options['application'] or options['party'] or 'the whole log'}.")
        stream = open(options["output"], "w", newline="", encoding="utf-8") if options["output"] else self.stdout
        try:
            rows = write_export(events, fmt=options["format"], stream=stream)
        finally:
            if options["output"]:
                stream.close()
        record_export(acting_user=None, what="audit", party=(options["party"] or "").upper(),
                      parameters={"application": options["application"], "party": options["party"], "all": options["all"],
                                  "format": options["format"], "via": "manage.py"},
                      rows=rows)
        if options["output"]:
            self.stderr.write(f"{rows} events written to {options['output']}.")
