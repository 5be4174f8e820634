from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Translation
from .services import forget


@receiver([post_save, post_delete], sender=Translation, dispatch_uid="tierflow_translation_changed")
def on_change(sender, instance, **kwargs) -> None:
    forget(instance.language)
