"""The Celery app (`config.celery.app`): Redis when CELERY_BROKER_URL is set, else a broker in files under var/.

Tasks are defined with `@shared_task(name=...)` in each app's tasks.py and
discovered here. Settings come from `config.settings` (the CELERY_* names).
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tierflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
