from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils import timezone
from datetime import UTC

from apps.authorizations.escalation import escalate_overdue_stages


class Command(BaseCommand):
    help = "Send due reminders and escalate overdue stages (what the beat task does every minute)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="Sweep as if it were this moment (ISO 8601, e.g. 2026-12-07T09:00:00+08:00).")

    def handle(self, *args, now=None, **options) -> None:
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(f"--now must be an ISO 8601 date-time, got {now!r}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
        result = escalate_overdue_stages(now=moment)
        self.stdout.write(
            f"Escalated {result.escalated_to_supervisors} stage(s) to supervisors and "
            f"{result.escalated_to_next_tier} to the next tier up; sent {result.reminded} reminder(s)."
        )
