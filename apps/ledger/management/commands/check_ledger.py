"""Recompute every balance from the ledger's actions; exit non-zero on any difference."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from apps.ledger.models import Action, Block
from apps.ledger.selectors import balance_differences, first_transfer_differences, serial_differences


class Command(BaseCommand):
    help = "Recompute every account balance from the ledger's actions and compare it with the serial blocks held."

    def handle(self, *args, **options):
        started = time.monotonic()
        problems = [str(d) for d in balance_differences()] + serial_differences() + first_transfer_differences()
        elapsed = time.monotonic() - started
        for problem in problems:
            self.stderr.write(f"DIFFERENCE {problem}")
        summary = f"{Action.objects.count()} actions, {Block.objects.count()} blocks checked in {elapsed:.2f}s"
        if problems:
            raise CommandError(f"{len(problems)} difference(s) found; {summary}")
        self.stdout.write(f"Ledger consistent: {summary}")
