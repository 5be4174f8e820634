"""Personal API tokens over the API: create (shown once), list, revoke."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from .models import PersonalToken
from .services import create_personal_token, revoke_personal_token


class PersonalTokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = PersonalToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"]


class NewPersonalTokenSerializer(PersonalTokenSerializer):
    token = serializers.CharField(help_text="The token itself. Shown only in this response: store it now.")

    class Meta(PersonalTokenSerializer.Meta):
        fields = [*PersonalTokenSerializer.Meta.fields, "token"]


class TokenNameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


@extend_schema_view(
    list=extend_schema(summary="My personal API tokens (never the tokens themselves)"),
    retrieve=extend_schema(summary="One of my tokens"),
    destroy=extend_schema(summary="Revoke a token", description="The token stops working at once; it stays listed as revoked."),
)
class PersonalTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    queryset = PersonalToken.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = PersonalTokenSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return PersonalToken.objects.filter(user=self.request.user)

    @extend_schema(summary="Create a personal API token", request=TokenNameSerializer,
                   responses={201: NewPersonalTokenSerializer},
                   examples=[OpenApiExample("For the ERP", request_only=True, value={"name": "ERP sync"})])
    def create(self, request, *args, **kwargs):
        parsed = TokenNameSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        token, raw = create_personal_token(user=request.user, name=parsed.validated_data["name"])
        token.token = raw
        return Response(NewPersonalTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        revoke_personal_token(user=self.request.user, token=instance)

