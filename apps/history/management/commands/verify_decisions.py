from django.core.management.base import BaseCommand, CommandError

from apps.history.decisions import check_decisions


class Command(BaseCommand):
    help = "Check that every LoA issued and every CA approved was decided by an approver who held that duty at that moment."

    def handle(self, *args, **options) -> None:
        findings = check_decisions()
        bad = [f for f in findings if f.held is False]
        unknown = [f for f in findings if f.held is None]
        for finding in findings:
            status = {True: "ok     ", False: "NOT HELD", None: "unknown"}[finding.held]
            self.stdout.write(f"{status} #{finding.seq} {finding.event} {finding.application} by {finding.actor} "
                              f"for {finding.authority} at {finding.at:%Y-%m-%d %H:%M:%S}")
        if bad:
            raise CommandError(f"{len(bad)} of {len(findings)} decisions were taken by someone who did not hold the duty (first: event #{bad[0].seq}).")
        self.stdout.write(self.style.SUCCESS(
            f"{len(findings) - len(unknown)} decisions checked against the membership history; {len(unknown)} predate it."))
