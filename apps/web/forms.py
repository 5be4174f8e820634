"""Web forms: they parse and type-check; the rules stay in the services, whose messages land beside the field."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.authorizations.models import Application, FirstTransferDefinition, Mechanism, Purpose, State
from apps.authorizations.services import TRANSITIONS_REQUIRING_COMMENT, ApplicationInput
from apps.governance.models import Duty, Jurisdiction, Party

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
        choices=[("", _("Any")), (State.LOA_REVIEW, State.LOA_REVIEW.label), (State.CA_REVIEW, State.CA_REVIEW.label)],
    )
    duty = forms.ChoiceField(
        label=_("Duty"), required=False,
        choices=[("", _("Any")), (Duty.LOA_ISSUANCE, Duty.LOA_ISSUANCE.label), (Duty.CA_APPROVAL, Duty.CA_APPROVAL.label)],
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
            acquiring_parties=list(data["acquiring_parties"]), description=data.get("description", ""),
            **{name: data.get(name, "") for name in OPTIONAL_FIELDS if name in self.fields},
        )

    @staticmethod
    def initial_from(application: Application) -> dict:
        fields = ["title", "description", "sector", "mitigation_type", "activity_type", "requested_quantity",
                  "vintage_from", "vintage_to", "purposes", "first_transfer_definition", "mechanism", *OPTIONAL_FIELDS]
        initial = {name: getattr(application, name) for name in fields}
        initial["jurisdiction"] = application.jurisdiction_id
        initial["acquiring_parties"] = [p.pk for p in application.acquiring_parties.all()]
        return initial


class TransitionForm(forms.Form):
    """One decision: a comment (required where the contract says so)."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The state the user decided on: a page left open while a colleague decided must not fire on the new state.
    seen_state = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, transition: str, application: Application | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        if application is not None:
            self.fields["seen_state"].initial = application.state
        if transition in TRANSITIONS_REQUIRING_COMMENT:
            self.fields["comment"].required = True
            self.fields["comment"].error_messages["required"] = _("A comment is required for this decision.")

    def parameters(self) -> dict:
        return {}


class IssueLoaForm(TransitionForm):
    """`issue_loa`: quantity and vintages pre-filled from the request, its limits shown and enforced."""

    authorized_quantity = forms.IntegerField(label=_("Authorized quantity (tCO2e)"), min_value=1)
    # Left empty, the vintages are the requested ones (the service's default).
    vintage_from = forms.IntegerField(label=_("First vintage"), required=False)
    vintage_to = forms.IntegerField(label=_("Last vintage"), required=False)

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault("initial", {
            "authorized_quantity": application.requested_quantity,
            "vintage_from": application.vintage_from, "vintage_to": application.vintage_to,
        })
        super().__init__(*args, transition="issue_loa", application=application, **kwargs)
        self.fields["authorized_quantity"].widget.attrs.update(min=1, max=application.requested_quantity)
        self.fields["authorized_quantity"].help_text = _("At most the %(requested)s tCO2e requested.") % {
            "requested": f"{application.requested_quantity:,}"}
        for name in ("vintage_from", "vintage_to"):
            self.fields[name].widget.attrs.update(min=application.vintage_from, max=application.vintage_to)
            self.fields[name].help_text = _("Within the requested %(a)s–%(b)s.") % {
                "a": application.vintage_from, "b": application.vintage_to}

    def parameters(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("authorized_quantity", "vintage_from", "vintage_to")}


# In the decision panel's order: the step forward first, the ones that stop or return it after.
TRANSITION_LABELS = {
    "submit": _("Submit"),
    "resubmit": _("Resubmit"),
    "issue_loa": _("Issue the Letter of Authorization"),
    "approve_ca": _("Approve the corresponding adjustment"),
    "request_changes": _("Request changes"),
    "reject": _("Reject"),
    "withdraw": _("Withdraw"),
    "revoke": _("Revoke the authorization"),
}
PANEL_ORDER = list(TRANSITION_LABELS)


def transition_form(name: str, application: Application, data=None) -> TransitionForm:
    prefix = name
    if name == "issue_loa":
        return IssueLoaForm(data, application=application, prefix=prefix)
    return TransitionForm(data, transition=name, application=application, prefix=prefix)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"))
