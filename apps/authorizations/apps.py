from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "apps.authorizations"
    label = "authorizations"
