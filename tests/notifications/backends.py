"""Email backends for the tests: one that fails a set number of times, one that blocks while a file exists."""
from __future__ import annotations

import os
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FlakyBackend(BaseEmailBackend):
    """Refuses the first `failures` sends (like an SMTP server that is down), then accepts and records."""

    failures = 0
    attempts = 0
    sent: list = []

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise ConnectionRefusedError("SMTP server refused the connection")
        type(self).sent.extend(messages)
        return len(messages)


class BlockingFileBackend(FileBackend):
    """Writes to EMAIL_FILE_PATH, but first waits while the file named by TIERFLOW_TEST_BLOCK_EMAIL exists."""

    def send_messages(self, messages):
        marker = os.environ.get("TIERFLOW_TEST_BLOCK_EMAIL", "")
        while marker and os.path.exists(marker):
            time.sleep(0.05)
        return super().send_messages(messages)
