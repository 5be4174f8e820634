"""Read-only views of the ledger in the admin: it changes only through the services."""
from django.contrib import admin

from .models import Action, Block, RegistryAccount


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistryAccount)
class RegistryAccountAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "party", "organisation"]
    list_filter = ["kind", "party"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["registry_id", "first_id", "last_id", "quantity", "account", "vintage", "first_transferred"]
    list_filter = ["registry_id", "vintage", "first_transferred"]
    list_select_related = ["account"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "action_type", "subtype", "party", "registry_id", "first_id", "last_id", "quantity", "vintage"]
    list_filter = ["action_type", "party", "vintage"]
