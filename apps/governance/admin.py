"""One admin page configures a Party: its tiers, jurisdictions, duty holders and requirements."""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AuditedAdmin
from apps.translations.admin import TranslationInline

from .models import (
    Authority, BilateralAgreement, Duty, DutyAssignment, Jurisdiction, Membership, Party,
    ProponentOrganisation, Requirement, Tier,
)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    fk_name = "party"
    fields = ["code", "name", "tier", "parent", "timezone"]
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # offer only this Party's tiers and parents
            formset.form.base_fields["tier"].queryset = Tier.objects.filter(party=obj)
            formset.form.base_fields["parent"].queryset = Jurisdiction.objects.filter(party=obj)
        return formset


class DutyAssignmentFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if not self.instance.is_host:
            return
        assigned = {
            form.cleaned_data.get("duty")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        missing = [label for value, label in Duty.choices if value not in assigned]
        if missing:
            raise ValidationError(_("A host Party must assign every duty to a tier; missing: %(duties)s.") % {"duties": ", ".join(map(str, missing))})


class DutyAssignmentInline(admin.TabularInline):
    model = DutyAssignment
    formset = DutyAssignmentFormSet
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["tier"].queryset = Tier.objects.filter(party=obj)
        return formset


class RequirementInline(admin.StackedInline):
    model = Requirement
    extra = 0


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    list_display = ["code", "name", "is_host", "is_acquiring", "timezone", "letter_language"]
    list_filter = ["is_host", "is_acquiring"]
    search_fields = ["code", "name"]
    inlines = [TierInline, DutyAssignmentInline, RequirementInline, JurisdictionInline, TranslationInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "jurisdiction"]
    list_filter = ["jurisdiction__party"]
    search_fields = ["name", "short_name", "jurisdiction__code"]
    inlines = [MembershipInline, TranslationInline]
    autocomplete_fields = ["jurisdiction"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(AuditedAdmin):
    list_display = ["code", "name", "party", "tier", "parent"]
    list_filter = ["party", "tier__name"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "authority", "role"]
    list_filter = ["role", "authority__jurisdiction__party"]
    search_fields = ["user__username", "authority__name"]
    autocomplete_fields = ["user", "authority"]


@admin.register(BilateralAgreement)
class BilateralAgreementAdmin(AuditedAdmin):
    list_display = ["acquiring_party", "host_party", "instrument", "date_signed", "entry_into_force", "end_date"]
    list_filter = ["acquiring_party", "host_party"]


@admin.register(ProponentOrganisation)
class ProponentOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "country"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
