"""Oversized API input is refused at once, before any per-block work and outside any transaction."""

import pytest

from renders.models import RenderJob

pytestmark = pytest.mark.django_db

# The key lookup, its workspace's plan and the throttle: a request's fixed cost, whatever the body.
FIXED_QUERIES = 8


def refusal(response) -> str:
    assert response.status_code == 400, response.content[:300]
    return response.json()["error"]["message"]


@pytest.mark.parametrize("idempotency_key", ["", "retry-1"])
def test_ninety_thousand_blocks_are_refused_without_a_query_per_block(
    api, django_assert_max_num_queries, idempotency_key
):
    # Numeric speakers used to cost a voice lookup each, before the block limit applied (30-41 s, in a transaction).
    blocks = [{"speaker": "1", "text": "a"}] * 90_000
    with django_assert_max_num_queries(FIXED_QUERIES) as captured:
        response = api.post(
            "/api/v1/synthesize", {"blocks": blocks}, format="json", HTTP_IDEMPOTENCY_KEY=idempotency_key
        )
    assert "no more than 500" in refusal(response)
    # No transaction was opened (it would hold SQLite's write lock) and nothing was written.
    assert not any(word in query["sql"] for query in captured.captured_queries for word in ("SAVEPOINT", "INSERT"))
    assert not RenderJob.objects.exists()


def test_a_script_with_many_numeric_speakers_looks_them_up_in_one_query(api, django_assert_max_num_queries):
    blocks = [{"speaker": str(number), "text": "Hello there."} for number in range(1, 401)]
    with django_assert_max_num_queries(FIXED_QUERIES + 2):
        response = api.post("/api/v1/synthesize", {"blocks": blocks}, format="json")
    assert refusal(response) == "blocks: the script has 400 speakers; the limit is 20"


def test_too_many_speakers_in_the_text_format_are_refused(api):
    script = "\n".join(f"Speaker {number}: Hello." for number in range(25))
    assert refusal(api.post("/api/v1/synthesize", {"script": script}, format="json")).startswith(
        "script: the script has 25 speakers"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"blocks": [{"speaker": "Host", "text": "a" * 20_001}]}, "blocks.0.text"),  # the script limit, in one block
        ({"blocks": [{"speaker": "H" * 81, "text": "Hi."}]}, "blocks.0.speaker"),
        ({"title": "T" * 201, "script": "Host: Hi."}, "title"),
        ({"script": "Host: " + "a" * 20_000}, "script"),
    ],
)
def test_overlong_fields_are_refused_naming_the_field(api, body, field):
    assert refusal(api.post("/api/v1/synthesize", body, format="json")).startswith(f"{field}: ")
    assert not RenderJob.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/audio/speech", {"model": "tts-1", "voice": "joe", "input": "a" * 4097}),
        ("/v1/audio/speech", {"model": "m" * 101, "voice": "joe", "input": "Hi."}),
        ("/v1/audio/speech", {"model": "tts-1", "voice": "joe", "input": "Hi.", "instructions": "x" * 4097}),
        ("/v1/text-to-speech/joe", {"text": "a" * 5001}),
        ("/v1/text-to-speech/joe", {"text": "Hi.", "model_id": "m" * 101}),
    ],
)
def test_the_drop_in_endpoints_bound_their_input_too(api, path, body):
    refusal(api.post(path, body, format="json"))
    assert not RenderJob.objects.exists()
