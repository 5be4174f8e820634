"""Argon2id at a cost measured for Tierflow's reference host (2 cores): see SECURITY.md, "Passwords"."""
from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 46 MiB, 2 passes, 1 lane: about 65 ms per sign-in on one core, above OWASP's minimum.

    Same `argon2` algorithm name as Django's hasher, so its hashes verify here and hashes at another
    cost are rehashed at this one on the next sign-in (Django's must_update compares the parameters).
    One lane: on 2 shared cores a second thread only takes a core from a concurrent request.
    """

    time_cost = 2
    memory_cost = 47_104  # KiB
    parallelism = 1
