"""Piper, the local default engine: synthesis (engine.py), presets, setting fields and retry variations
(settings.py), word times from phoneme lengths (timing.py), the phonemes it can say (phonemes.py)."""
