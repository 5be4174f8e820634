# Django's Vietnamese formats name a thousands separator but no grouping: 1.234.567 as Vietnamese documents write it.
NUMBER_GROUPING = 3
