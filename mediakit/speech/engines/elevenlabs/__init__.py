"""ElevenLabs, through its official SDK: synthesis and cloning (engine.py), voice id and setting fields
(settings.py), what it needs from the deployment (config.py), word times from its character times
(alignment.py)."""
