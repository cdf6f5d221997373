"""django-q2 entry points: thin wrappers, the work is in services."""

from voices import services


def delete_vendor_clone(engine_name: str, clone_id: str) -> None:
    services.delete_vendor_clone(engine_name, clone_id)
