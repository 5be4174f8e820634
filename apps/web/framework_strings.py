"""Django's own strings our pages show that its catalogues leave untranslated in some of our languages.

`makemessages` extracts them from here into our catalogues, which Django reads before its own (LOCALE_PATHS).
"""
from django.utils.translation import gettext_noop

FRAMEWORK_STRINGS = [
    gettext_noop("- Select an option -"),  # the blank choice of every select (django.db.models.fields.BLANK_CHOICE_LABEL)
]
