import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.authorizations.models import Application, Stage, State


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    jurisdiction = django_filters.CharFilter(field_name="jurisdiction_id")
    host_party = django_filters.CharFilter(field_name="host_party_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Has an open stage past its due time")

    class Meta:
        model = Application
        fields = ["state", "jurisdiction", "host_party", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Stage.objects.filter(application=OuterRef("pk"), closed_at__isnull=True, due_at__lte=timezone.now())
        return queryset.filter(Exists(late)) if value else queryset.exclude(Exists(late))
