"""Script memory: each script's meaning as a vector, and the workspace's scripts nearest to one.

Vectors are computed locally (mediakit.text.embeddings: a small model a package carries) in the worker once a
save commits (`queue_remember`, connected to every save of a Script in scripts/apps.py, whoever saves it:
forms, the API, copies, the writer), and stored in ScriptEmbedding. "Similar scripts" is a plain scan of the
workspace's vectors. A script whose vector the worker has not written yet (it queues behind renders) is
embedded on the spot when asked.

`similar_scripts(..., by_performance=True)` ranks the similar ones by how their videos did (scripts.performance:
views, then watch time, of each script's published videos at their latest figures), the measured ones first;
every result carries its numbers. `among` narrows the candidates to any queryset of the workspace's scripts.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django_q.tasks import async_task

from mediakit.text.embeddings import MODEL_ID, embed, from_bytes, nearest, to_bytes
from mediakit.text.script import ScriptError, parse_text
from scripts.models import Script, ScriptEmbedding
from scripts.performance import Performance, best_first, performance_of

SIMILAR_LIMIT = 5
BEST_FIRST_POOL = 4  # ranked by performance: the best of the 4 times `limit` nearest (all still similar enough)
MIN_SIMILARITY = 0.25  # below this, two scripts share little more than being English (cosine, -1..1)
REMEMBER_TASK = "scripts.tasks.remember_script"


@dataclass(frozen=True)
class SimilarScript:
    script: Script
    similarity: float  # cosine similarity of the two scripts' vectors, 1 = the same meaning
    performance: Performance | None = None  # how its published videos did (None: none published or measured)


def memory_text(script: Script) -> str:
    """What a script means: its title and what is said (speaker names and pauses are not its subject)."""
    try:
        said = " ".join(block.text for block in parse_text(script.body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS))
    except ScriptError:  # saved before a stricter parser: its words still say what it is about
        said = script.body
    return f"{script.title}. {said}"


def _digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL_ID}\n{text}".encode()).hexdigest()


def queue_remember(script_id: int) -> None:
    """Once the save commits, the worker computes the script's vector (a rolled-back save queues nothing)."""
    transaction.on_commit(lambda: async_task(REMEMBER_TASK, script_id, task_name=f"remember-script-{script_id}"))


def remember(script_id: int) -> ScriptEmbedding | None:
    """Store the script's vector for its text as it is now; nothing to do when it is already stored."""
    script = Script.objects.filter(pk=script_id).only("title", "body").first()
    if script is None:  # deleted meanwhile
        return None
    text = memory_text(script)
    digest = _digest(text)
    stored = ScriptEmbedding.objects.filter(script_id=script_id, text_hash=digest).first()
    if stored is not None:
        return stored
    vector = embed(text)  # outside the transaction: no lock is held while the model runs
    with transaction.atomic():
        current = Script.objects.select_for_update().filter(pk=script_id).only("title", "body").first()
        if current is None or _digest(memory_text(current)) != digest:
            return None  # saved again meanwhile: that save's own task stores its vector
        stored, _ = ScriptEmbedding.objects.update_or_create(
            script_id=script_id, defaults={"model": MODEL_ID, "text_hash": digest, "vector": to_bytes(vector)}
        )
    return stored


def similar_scripts(
    script: Script, *, limit: int = SIMILAR_LIMIT, among: QuerySet | None = None, by_performance: bool = False
) -> list[SimilarScript]:
    """The workspace's scripts nearest in meaning to `script`, most similar first (never itself, never another
    workspace's); with `by_performance`, those whose videos did best first. `among` narrows the candidates."""
    own = remember(script.pk)
    if own is None:
        return []
    vectors = ScriptEmbedding.objects.filter(script__workspace_id=script.workspace_id, model=MODEL_ID).exclude(
        script_id=script.pk
    )
    if among is not None:
        vectors = vectors.filter(script__in=among)
    rows = list(vectors.values_list("script_id", "vector"))
    pool = limit * BEST_FIRST_POOL if by_performance else limit
    hits = {
        rows[index][0]: score
        for index, score in nearest(from_bytes(own.vector), [from_bytes(vector) for _, vector in rows], pool)
        if score >= MIN_SIMILARITY
    }
    measured = performance_of(script.workspace_id)
    order = best_first(list(hits), measured) if by_performance else list(hits)
    found = Script.objects.select_related("campaign").in_bulk(order[:limit])
    return [SimilarScript(found[pk], round(hits[pk], 3), measured.get(pk)) for pk in order[:limit] if pk in found]


def remember_all(workspace_id: int | None = None) -> int:
    """Embed every script whose vector is missing or stale (after an upgrade: `manage.py remember_scripts`)."""
    scripts = Script.objects.all() if workspace_id is None else Script.objects.filter(workspace_id=workspace_id)
    return sum(1 for pk in scripts.values_list("pk", flat=True).iterator() if remember(pk) is not None)
