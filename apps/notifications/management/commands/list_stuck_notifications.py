from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from apps.notifications.services import oldest_pending_age, stuck_notifications


class Command(BaseCommand):
    help = "List notifications still pending, sending or failed after N minutes (for operators); exits 1 if any."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", default="10", help="Minutes since the notification was written (default 10).")
        parser.add_argument("--limit", type=int, default=100, help="Show at most this many rows (default 100).")

    def handle(self, *args, older_than="10", limit=100, **options) -> None:
        try:
            minutes = float(older_than)
        except ValueError:
            raise CommandError(f"--older-than must be a number of minutes, got {older_than!r}") from None
        if minutes < 0:
            raise CommandError("--older-than cannot be negative")
        queryset = stuck_notifications(older_than=timedelta(minutes=minutes))
        total = queryset.count()
        for row in queryset[:limit]:
            reference = row.application.reference if row.application_id else "-"
            self.stdout.write(
                f"{row.pk}\t{row.status}\t{row.channel}\t{row.created_at:%Y-%m-%d %H:%M:%S}Z\tattempts={row.attempts}\t"
                f"{row.recipient.username}\t{reference}\t{row.event}\t{row.last_error[:120]}"
            )
        age = oldest_pending_age()
        self.stdout.write(
            f"{total} notification(s) stuck for over {minutes:g} minute(s); "
            f"oldest undelivered: {'none' if age is None else f'{age:.0f} s'}."
        )
        if total:
            raise SystemExit(1)
