"""django-q2 entry points: thin wrappers."""

from accounts import audit


def prune_audit() -> int:
    return audit.prune()
