"""The status-read baseline: a bare Django view returning a constant JSON object (no database, no auth)."""
from django.http import JsonResponse

CONSTANT = {"reference": "BENCH-CONSTANT", "state": "ca_review"}


def constant(request):
    return JsonResponse(CONSTANT)
