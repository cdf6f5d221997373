"""How to reach ElevenLabs: given by the deployment (ELEVENLABS_* settings on the Django side)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ElevenLabsConfig:
    api_key: str
    base_url: str
    model_id: str
    output_format: str  # "pcm_22050" (raw 16-bit PCM at that rate) or an encoded one, e.g. "mp3_44100_128"
    timeout: float  # seconds per read
    max_retries: int  # the SDK retries 429 and 5xx answers with backoff
