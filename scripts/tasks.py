"""Worker entry points of the scripts app (thin: the work is in scripts.memory and scripts.dictionaries)."""

from scripts import dictionaries
from scripts.memory import remember


def remember_script(script_id: int) -> None:
    remember(script_id)


def archive_vendor_dictionary(engine_name: str, dictionary_id: str) -> None:
    dictionaries.archive_vendor_dictionary(engine_name, dictionary_id)
