"""What a server process does once, after Django is set up and before its first request (wsgi.py, asgi.py)."""
import logging
import os

logger = logging.getLogger(__name__)


def warm_server_process() -> None:
    """Pay WeasyPrint's first-render cost (about 2 s) at start, not on the first letter a user asks for."""
    if os.environ.get("TIERFLOW_WARM_LETTERS", "1") == "0":
        return
    try:
        from apps.authorizations.letters import warm_letter_rendering

        logger.info("letter rendering warmed in %.2f s", warm_letter_rendering())
    except Exception:  # noqa: BLE001 — a broken PDF stack must not keep the web server from starting
        logger.exception("letter rendering could not be warmed; the first letter will pay for it")
