import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.warmup import warm_server_process  # noqa: E402  (needs Django set up)

warm_server_process()  # each gunicorn worker imports this module after the fork (or the master, with --preload)
