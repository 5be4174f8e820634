"""Web forms: they parse and type-check; the rules stay in the services, whose messages land beside the field."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.authorizations.models import Application, FirstTransferDefinition, Mechanism, Purpose, State
from apps.authorizations.services import ApplicationInput
from apps.authorizations.workflow import APPLICATION
from apps.governance.models import Duty, Jurisdiction, Party, Programme
from apps.workflow.table import Transition

OPTIONAL_FIELDS = ("host_registry_id", "local_partner", "benefit_sharing_plan")


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (the rest at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False,
        choices=[("", _("Any")), *[(state.value, state.label) for state in (
            State.PARTICIPATION_REVIEW, State.CDM_TRANSITION_REVIEW, State.LOA_REVIEW, State.CA_REVIEW)]],
    )
    duty = forms.ChoiceField(
        label=_("Duty"), required=False,
        choices=[("", _("Any")), *[(duty.value, duty.label) for duty in (
            Duty.MECHANISM_APPROVAL, Duty.CDM_TRANSITION_APPROVAL, Duty.LOA_ISSUANCE, Duty.CA_APPROVAL)]],
    )
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, jurisdictions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [("", _("Any"))] + [(j.code, f"{j.code} {j.name}") for j in jurisdictions]


class ApplicationForm(forms.Form):
    """The proponent's fields. Party-specific fields are shown only where the host Party's requirements ask."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), to_field_name="code")
    acquiring_parties = forms.ModelMultipleChoiceField(
        label=_("Acquiring Parties"), required=False, to_field_name="code",
        queryset=Party.objects.filter(is_acquiring=True), widget=forms.CheckboxSelectMultiple,
    )
    sector = forms.CharField(label=_("Sector"), max_length=100)
    mitigation_type = forms.CharField(label=_("Mitigation type"), max_length=100)
    activity_type = forms.CharField(label=_("Activity type"), max_length=100)
    requested_quantity = forms.IntegerField(label=_("Requested quantity (tCO2e)"), min_value=1, max_value=10**12)
    vintage_from = forms.IntegerField(label=_("First vintage"), min_value=2021, max_value=2100)
    vintage_to = forms.IntegerField(label=_("Last vintage"), min_value=2021, max_value=2100)
    purposes = forms.ChoiceField(label=_("Authorized use"), choices=Purpose.choices)
    first_transfer_definition = forms.ChoiceField(
        label=_("First transfer"), required=False, choices=[("", _("Implied by the purposes (NDC use)")),
                                                            *FirstTransferDefinition.choices],
        help_text=_("Choose only when OIMP is among the purposes."))
    mechanism = forms.ChoiceField(label=_("Mechanism"), choices=Mechanism.choices, initial=Mechanism.ARTICLE_6_2, required=False)
    programme = forms.ChoiceField(label=_("Programme or standard"), required=False,
                                  choices=[("", _("None (a cooperative approach of its own)")), *Programme.choices])
    programme_registry_id = forms.CharField(label=_("Programme registry ID"), max_length=60, required=False,
                                            help_text=_("The activity's ID in the programme's registry, e.g. VCS 1477."))
    cdm_reference = forms.CharField(label=_("CDM registration reference"), max_length=40, required=False,
                                    help_text=_("Only for a CDM activity requesting transition to the Article 6.4 mechanism."))
    host_registry_id = forms.CharField(label=_("Host registry ID"), max_length=60, required=False)
    local_partner = forms.CharField(label=_("Local partner"), max_length=200, required=False)
    benefit_sharing_plan = forms.CharField(label=_("Benefit-sharing plan"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, host_party: Party, asked: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.host_party = host_party
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.filter(party=host_party).order_by("code")
        self.fields["jurisdiction"].label_from_instance = lambda j: f"{j.code} {j.name}"
        self.fields["acquiring_parties"].queryset = Party.objects.filter(is_acquiring=True).exclude(pk=host_party.pk)
        for name in OPTIONAL_FIELDS:
            if name in asked:
                self.fields[name].required = True
            else:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("vintage_from") and data.get("vintage_to") and data["vintage_from"] > data["vintage_to"]:
            self.add_error("vintage_to", _("The last vintage cannot be before the first."))
        return data

    def to_input(self) -> ApplicationInput:
        data = self.cleaned_data
        return ApplicationInput(
            title=data["title"], host_party=self.host_party, jurisdiction=data["jurisdiction"],
            sector=data["sector"], mitigation_type=data["mitigation_type"], activity_type=data["activity_type"],
            requested_quantity=data["requested_quantity"], vintage_from=data["vintage_from"],
            vintage_to=data["vintage_to"], purposes=data["purposes"],
            first_transfer_definition=data["first_transfer_definition"],
            mechanism=data.get("mechanism") or Mechanism.ARTICLE_6_2,
            programme=data.get("programme", ""), programme_registry_id=data.get("programme_registry_id", "").strip(),
            cdm_reference=data.get("cdm_reference", "").strip(),
            acquiring_parties=list(data["acquiring_parties"]), description=data.get("description", ""),
            **{name: data.get(name, "") for name in OPTIONAL_FIELDS if name in self.fields},
        )

    @staticmethod
    def initial_from(application: Application) -> dict:
        fields = ["title", "description", "sector", "mitigation_type", "activity_type", "requested_quantity",
                  "vintage_from", "vintage_to", "purposes", "first_transfer_definition", "mechanism", "programme", "programme_registry_id", "cdm_reference", *OPTIONAL_FIELDS]
        initial = {name: getattr(application, name) for name in fields}
        initial["jurisdiction"] = application.jurisdiction_id
        initial["acquiring_parties"] = [p.pk for p in application.acquiring_parties.all()]
        return initial


class TransitionForm(forms.Form):
    """One decision, built from its row of the transition table: a comment, and the row's parameters."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The state the user decided on: a page left open while a colleague decided must not fire on the new state.
    seen_state = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, transition: Transition, application: Application, **kwargs):
        kwargs.setdefault("initial", {p.name: p.initial(application) for p in transition.parameters if p.initial})
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["seen_state"].initial = application.state
        comment = self.fields["comment"]
        if transition.comment_label:
            comment.label = transition.comment_label
        if transition.comment_required:
            comment.required = True
            comment.error_messages["required"] = transition.missing_comment or _("A comment is required for this decision.")
        for parameter in transition.parameters:
            field = forms.IntegerField(label=parameter.label, required=parameter.required,
                                       min_value=parameter.min_value, max_value=parameter.max_value)
            if parameter.bounds:
                low, high = parameter.bounds(application)
                field.widget.attrs.update(min=low, max=high)
            if parameter.help_text:
                field.help_text = parameter.help_text(application)
            self.fields[parameter.name] = field

    def parameters(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.transition.parameter_names}


def transition_form(name: str, application: Application, data=None) -> TransitionForm:
    return TransitionForm(data, transition=APPLICATION[name], application=application, prefix=name)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"))


class MonitoringReportForm(forms.Form):
    """The proponent's report of what the activity achieved in a monitoring period, for one vintage."""

    vintage = forms.IntegerField(label=_("Vintage year"), min_value=1990, max_value=2100)
    period_from = forms.DateField(label=_("Monitoring period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("Monitoring period to"), widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.IntegerField(label=_("Quantity claimed (tCO2e)"), min_value=1, max_value=10**12)
    file = forms.FileField(label=_("The monitoring report (PDF, PNG or JPEG)"), required=False)


class VerificationForm(forms.Form):
    """The accredited verifier's result for one monitoring report, as the registry operator records it."""

    verifier = forms.CharField(label=_("Accredited verifier"), max_length=200)
    accreditation = forms.CharField(label=_("Accreditation reference"), max_length=100)
    verified_quantity = forms.IntegerField(label=_("Verified quantity (tCO2e)"), min_value=1, max_value=10**12)
    file = forms.FileField(label=_("The verification report (PDF, PNG or JPEG)"), required=False)
