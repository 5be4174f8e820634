"""One admin page configures a Party: its tiers, jurisdictions, duty holders and requirements."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AuditedAdmin
from apps.translations.admin import TranslationInline

from .models import (
    HOST_DUTIES, Authority, BilateralAgreement, CooperativeApproach, Duty, DutyAssignment, Jurisdiction, Membership, Party,
    Programme, ProponentOrganisation, Requirement, Tier, time_zone_choices,
)
from .readiness import problems_of, proposed_from_forms
from .setup import PartySetupForm, StaffFormSet, set_up_party


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
        # Only this Party's tiers and parents; a Party not yet saved has none to offer.
        formset.form.base_fields["tier"].queryset = Tier.objects.filter(party=obj) if obj is not None else Tier.objects.none()
        formset.form.base_fields["parent"].queryset = (
            Jurisdiction.objects.filter(party=obj) if obj is not None else Jurisdiction.objects.none())
        # One shared <datalist> of IANA names on the Party page; the model's validator refuses any other name.
        formset.form.base_fields["timezone"].widget = forms.TextInput(attrs={"list": "iana-time-zones", "size": 20})
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
        missing = [Duty(value).label for value in HOST_DUTIES if value not in assigned]
        if missing:
            raise ValidationError(_("A host Party must assign every duty to a tier; missing: %(duties)s.") % {"duties": ", ".join(map(str, missing))})
        self._refuse_unready_host()

    def _refuse_unready_host(self) -> None:
        """A Party becomes host only when ready; a host's change may not add a problem (a holder-less duty is a failed Submit)."""
        party = self.instance
        saved = Party.objects.filter(pk=party.pk).first() if party.pk else None
        problems = problems_of(party, proposed_from_forms(self.forms))
        if saved is not None and saved.is_host:
            existing = set(problems_of(saved))
            problems = [problem for problem in problems if problem not in existing]
        if problems:
            raise ValidationError(
                [_("This Party cannot be a host Party until its configuration is ready:")]
                + [problem.message for problem in problems])


class DutyAssignmentInline(admin.TabularInline):
    model = DutyAssignment
    formset = DutyAssignmentFormSet
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this Party's tiers: a Party not yet saved has none, so it is saved with its tiers first.
        formset.form.base_fields["tier"].queryset = Tier.objects.filter(party=obj) if obj is not None else Tier.objects.none()
        return formset


class RequirementForm(forms.ModelForm):
    # A list of programme codes kept as JSON: ticked here, so no one types JSON or an unknown code.
    programmes = forms.MultipleChoiceField(label=_("programmes"), choices=Programme.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Requirement
        fields = "__all__"


class RequirementInline(admin.StackedInline):
    model = Requirement
    form = RequirementForm
    extra = 0
    fields = ["side", "transition", "kind", "field", "pattern", "programmes", "agreement_kind", "applies_to", "message",
              "source", "source_verified"]


class PartyForm(forms.ModelForm):
    # A select of IANA names: a free-text zone such as "Manila" made every page of the Party fail.
    timezone = forms.TypedChoiceField(label=_("time zone"), choices=time_zone_choices, initial="UTC")

    class Meta:
        model = Party
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.timezone if self.instance.pk else ""
        if saved and saved not in dict(time_zone_choices()):
            # Shown as it is, not silently replaced by the list's first zone; saving it is refused until one is chosen.
            self.fields["timezone"].choices = [(saved, _("%(zone)s (not an IANA time zone: choose one)") % {"zone": saved}),
                                               *time_zone_choices()]


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    form = PartyForm
    list_display = ["code", "name", "is_host", "is_acquiring", "timezone", "letter_language", "register_publication"]
    list_filter = ["is_host", "is_acquiring", "register_publication"]
    search_fields = ["code", "name"]
    inlines = [TierInline, DutyAssignmentInline, RequirementInline, JurisdictionInline, TranslationInline]
    change_form_template = "admin/governance/party/change_form.html"

    change_list_template = "admin/governance/party/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def get_urls(self):
        setup = path("setup/", self.admin_site.admin_view(self.setup_view), name="governance_party_setup")
        return [setup, *super().get_urls()]

    def setup_view(self, request):
        """One page for a new Party: itself, its national authority and staff, every duty; saved together."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PartySetupForm(request.POST or None)
        staff = StaffFormSet(request.POST or None, prefix="staff")
        if request.method == "POST" and form.is_valid() and staff.is_valid():
            rows = [row for row in staff.cleaned_data if row.get("username")]
            try:
                with transaction.atomic():
                    done = set_up_party(form.cleaned_data, rows)
                    for obj in done.created:
                        self.log_addition(request, obj, [{"added": {}}])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("%(party)s is set up: %(count)s records saved. Add subdivisions, requirements "
                                             "and translations below.") % {"party": done.party, "count": len(done.created)},
                                  messages.SUCCESS)
                if done.new_users:
                    self.message_user(request, _("New accounts without a password yet: %(users)s. Set one on each user's page "
                                                 "or send a password reset.") % {
                        "users": ", ".join(u.username for u in done.new_users)}, messages.WARNING)
                return redirect("admin:governance_party_change", done.party.pk)
        context = {**self.admin_site.each_context(request), "title": _("Set up a Party"), "form": form, "staff": staff,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/governance/party/setup.html", context, status=400 if request.method == "POST" else 200)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["readiness"] = problems_of(obj) if obj is not None else None
        context["time_zones"] = [name for name, _label in time_zone_choices()]
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


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
    list_display = ["acquiring_party", "host_party", "instrument", "kind", "date_signed", "entry_into_force", "end_date"]
    list_filter = ["kind", "acquiring_party", "host_party"]


@admin.register(CooperativeApproach)
class CooperativeApproachAdmin(AuditedAdmin):
    list_display = ("code", "name", "unfccc_id", "host_party", "status", "acquirer_authorization_required")
    list_filter = ("status", "acquirer_authorization_required", "host_party")
    search_fields = ("code", "name", "unfccc_id")
    filter_horizontal = ("acquiring_parties", "agreements")


@admin.register(ProponentOrganisation)
class ProponentOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "country"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
