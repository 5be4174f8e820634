"""Translations are edited beside the object they translate (inlines on the Party and authority pages) or here."""
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from apps.audit.admin_mixins import AuditedAdmin

from .models import Translation


class TranslationInline(GenericTabularInline):
    model = Translation
    ct_fk_field = "object_id"
    extra = 0
    fields = ["field", "language", "text", "source"]


@admin.register(Translation)
class TranslationAdmin(AuditedAdmin):
    list_display = ["content_type", "object_id", "field", "language", "text"]
    list_filter = ["content_type", "language", "field"]
    search_fields = ["object_id", "text"]
