"""The writer with a language model: prompts built from plain values (`drafts.py`), answers read back with
our script parser and repaired once or refused, and the providers' SDKs called with keys passed in
(`providers.py`). The keyless writer is `mediakit.text.outline`."""
