import datetime

import django_filters
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.authorizations.models import Application, Stage, State
from apps.governance.models import Duty


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    jurisdiction = django_filters.CharFilter(field_name="jurisdiction_id", label="ISO 3166-2 code, e.g. MY-12")
    host_party = django_filters.CharFilter(field_name="host_party_id", label="Host Party, alpha-3")
    party = django_filters.CharFilter(field_name="host_party_id", label="Host Party, alpha-3 (same as host_party)")
    duty = django_filters.ChoiceFilter(choices=Duty.choices, method="filter_duty", label="Duty of the open stage")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Has an open stage past its due time")
    updated_since = django_filters.IsoDateTimeFilter(method="filter_updated_since",
                                                     label="Changed at or after this time (ISO 8601)")

    class Meta:
        model = Application
        fields = ["state", "jurisdiction", "host_party", "party", "duty", "overdue", "updated_since"]

    def filter_overdue(self, queryset, name, value):
        late = Stage.objects.filter(application=OuterRef("pk"), closed_at__isnull=True, due_at__lte=timezone.now())
        return queryset.filter(Exists(late)) if value else queryset.exclude(Exists(late))

    def filter_updated_since(self, queryset, name, value):
        try:
            value = value.astimezone(datetime.UTC)  # PostgreSQL refuses offsets beyond ±16 h; UTC is the same instant
        except (OverflowError, ValueError):
            raise ValidationError({"updated_since": [_("Give a date and time between years 1 and 9999.")]}) from None
        return queryset.filter(updated_at__gte=value)

    def filter_duty(self, queryset, name, value):
        return queryset.filter(Exists(Stage.objects.filter(application=OuterRef("pk"), closed_at__isnull=True, duty=value)))
