"""Checks shared by every app above: here, the lowest app, because the workspace's default language uses them."""

from django.core.validators import RegexValidator

# BCP 47 in the shape our normalisers read: a language, then optional subtags ("en", "de-DE", "zh-Hant-TW").
LANGUAGE_TAG = RegexValidator(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", "Use a language tag like 'en' or 'de-DE'.")
