"""The text of a configuration field in the active language, falling back to the English stored on the object.

All translations of one language are read in one query and kept in the cache for a minute (a few hundred rows);
saving or deleting one clears that language's entry in this process at once.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import translation

CACHE_SECONDS = 60


def _key(language: str) -> str:
    return f"tierflow:translations:{language}"


def table(language: str) -> dict[tuple[int, str, str], str]:
    data = cache.get(_key(language))
    if data is None:
        from .models import Translation

        data = {(ct, oid, field): text for ct, oid, field, text in
                Translation.objects.filter(language=language).values_list("content_type_id", "object_id", "field", "text")}
        cache.set(_key(language), data, CACHE_SECONDS)
    return data


def forget(language: str) -> None:
    cache.delete(_key(language))


def translations_of(obj, field: str) -> dict[str, str]:
    """Every language's text of one field of one object, in one query (for a text written in all languages at once)."""
    from .models import Translation

    if obj is None or obj.pk is None:
        return {}
    return dict(Translation.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                                           field=field).values_list("language", "text"))


def translated(obj, field: str, language: str | None = None) -> str:
    """`obj.<field>` in `language` (default: the active one) where a translation exists, else the English text."""
    english = getattr(obj, field, "") if obj is not None else ""
    language = language or translation.get_language() or "en"
    if obj is None or obj.pk is None or language == "en":
        return english
    content_type = ContentType.objects.get_for_model(obj)
    return table(language).get((content_type.pk, str(obj.pk), field)) or english
