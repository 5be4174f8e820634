"""A person's language: chosen on /account/ or with the switcher, first taken from the browser at first sign-in."""
from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from .models import Profile

CODES = [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """The configured language for a code (`zh-Hant-TW` → `zh-hant`, `id-ID` → `id`), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_from_header(header: str) -> str | None:
    """The best configured language an Accept-Language header asks for, or None."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        found = supported(code)
        if found:
            return found
    return None


def preferred_language(user) -> str | None:
    """The user's remembered language (read once per request: the profile is cached on the user object)."""
    try:
        return user.profile.language or None
    except Profile.DoesNotExist:
        return None


SESSION_KEY = "_tierflow_language"


def session_language(request) -> str | None:
    """The signed-in user's language, read from their profile once per session and kept in it ("" for none)."""
    session = getattr(request, "session", None)
    if session is None:
        return preferred_language(request.user)
    if SESSION_KEY not in session:
        session[SESSION_KEY] = preferred_language(request.user) or ""
    return supported(session[SESSION_KEY])


def language_of(user) -> str:
    return preferred_language(user) or settings.LANGUAGE_CODE


def remember_language(user, language: str, request=None) -> str | None:
    """Store the user's choice (and in this session); an unknown code changes nothing. Returns the code or None."""
    language = supported(language)
    if language is None:
        return None
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    user.profile = profile
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language
    return language


def remember_first_language(user, request) -> None:
    """At the first sign-in: the language the browser asked for (or the switcher had set), unless one is stored.

    A request that did not pass LocaleMiddleware (a test client's force_login) asked for nothing: nothing is stored.
    """
    language = supported(getattr(request, "LANGUAGE_CODE", None))
    if language is not None:
        profile, _created = Profile.objects.get_or_create(user=user, defaults={"language": language})
        if not profile.language:  # a profile an administrator made for the job title, language not chosen yet
            profile.language = language
            profile.save(update_fields=["language"])
        if hasattr(request, "session"):
            request.session[SESSION_KEY] = profile.language
