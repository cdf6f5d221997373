"""Language models through their official SDKs (`openai`, `anthropic`), one streaming call each.

Keys, URLs and models come in a `ProviderConfig` (filled from settings by the Django layer, like the speech
engines' `EngineContext`); nothing here reads the environment. Every failure becomes a `ProviderError` whose
message says, in plain words, what happened and whether trying again can help.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

PROVIDERS = {"openai": "OpenAI", "anthropic": "Anthropic"}


@dataclass(frozen=True)
class ProviderConfig:
    name: str  # a key of PROVIDERS
    api_key: str
    model: str
    base_url: str = ""  # "" means the SDK's default (or its *_BASE_URL variable)
    timeout: float = 60.0  # per read, the SDK's; `deadline` bounds the whole call
    max_retries: int = 2  # the SDK retries 429 and 5xx with backoff
    deadline: float = 180.0

    @property
    def label(self) -> str:
        return PROVIDERS[self.name]


@dataclass(frozen=True)
class WriterContext:
    """The language models this deployment offers, in order of preference; empty when no key is set."""

    providers: tuple[ProviderConfig, ...] = ()
    max_output_tokens: int = 4000

    def provider(self, name: str = "") -> ProviderConfig | None:
        """The named provider when configured, else the first one; None when none is."""
        for config in self.providers:
            if config.name == name:
                return config
        return self.providers[0] if self.providers else None


@dataclass
class Usage:
    """Tokens spent, added to by every call (a failed one too, as far as the provider told us)."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


class ProviderError(Exception):
    """The model could not be used; `kind` is key, busy, down, timeout, unreachable or refused."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


def stream_text(config: ProviderConfig, system: str, prompt: str, max_tokens: int, usage: Usage) -> Iterator[str]:
    """The model's answer, piece by piece as it is written; usage is added to `usage` as it is reported."""
    usage.calls.append(f"{config.name}:{config.model}")
    stream = _openai if config.name == "openai" else _anthropic
    deadline = time.monotonic() + config.deadline
    try:
        for piece in stream(config, system, prompt, max_tokens, usage):
            if time.monotonic() > deadline:  # the SDK's timeout bounds each read, not the whole answer
                raise ProviderError("timeout", f"{config.label} took longer than {config.deadline:g} s; try again.")
            if piece:
                yield piece
    except ProviderError:
        raise
    except Exception as error:
        raise _plain(config, error) from error


def _openai(config: ProviderConfig, system: str, prompt: str, max_tokens: int, usage: Usage) -> Iterator[str]:
    import openai

    client = openai.OpenAI(
        api_key=config.api_key, base_url=config.base_url or None, timeout=config.timeout, max_retries=config.max_retries
    )
    with client:
        chunks = client.chat.completions.create(
            model=config.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            max_completion_tokens=max_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
        with chunks:
            for chunk in chunks:
                if chunk.usage:  # the last chunk, when the server reports usage
                    usage.input_tokens += chunk.usage.prompt_tokens or 0
                    usage.output_tokens += chunk.usage.completion_tokens or 0
                for choice in chunk.choices:
                    yield choice.delta.content or ""


def _anthropic(config: ProviderConfig, system: str, prompt: str, max_tokens: int, usage: Usage) -> Iterator[str]:
    import anthropic

    client = anthropic.Anthropic(
        api_key=config.api_key, base_url=config.base_url or None, timeout=config.timeout, max_retries=config.max_retries
    )
    with client:
        events = client.messages.create(
            model=config.model,
            system=system,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=max_tokens,
            stream=True,
        )
        reported = 0  # Anthropic reports output tokens as a running total
        with events:
            for event in events:
                if event.type == "message_start":
                    usage.input_tokens += event.message.usage.input_tokens or 0
                    reported = event.message.usage.output_tokens or 0
                    usage.output_tokens += reported
                elif event.type == "message_delta":
                    total = event.usage.output_tokens or 0
                    usage.output_tokens += max(total - reported, 0)
                    reported = max(total, reported)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    yield event.delta.text


def _plain(config: ProviderConfig, error: Exception) -> ProviderError:
    label = config.label
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    # The SDKs wrap a timeout before the answer starts (APITimeoutError); one while it streams may come
    # through as the HTTP library's own (ReadTimeout, a TimeoutException; a dropped stream, a TransportError).
    lineage = {cls.__name__ for cls in type(error).__mro__}
    if lineage & {"APITimeoutError", "TimeoutException", "TimeoutError"}:
        return ProviderError("timeout", f"{label} did not answer in time; try again in a moment.")
    if lineage & {"APIConnectionError", "TransportError", "ConnectionError"}:
        return ProviderError("unreachable", f"{label} could not be reached or dropped the answer; try again.")
    if status in (401, 403):
        return ProviderError("key", f"{label} refused our API key ({status}); the administrator must check it.")
    if status == 429:
        return ProviderError("busy", f"{label} is rate-limiting us or the account is out of credit (429); try later.")
    if isinstance(status, int) and status >= 500:
        return ProviderError("down", f"{label} had a server error ({status}); try again in a few minutes.")
    if isinstance(status, int):
        return ProviderError("refused", f"{label} refused the request ({status}); the model name may be wrong.")
    return ProviderError("refused", f"{label} answered in a way we could not read ({name}).")
