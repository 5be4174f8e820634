from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "apps.translations"
    label = "translations"
    verbose_name = "Translations of configuration data"

    def ready(self) -> None:
        from . import signals  # noqa: F401
