"""Worker entry points of the scripts app (thin: the work is in scripts.memory)."""

from scripts.memory import remember


def remember_script(script_id: int) -> None:
    remember(script_id)
