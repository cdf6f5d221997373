"""Pronunciations a finished job suggests: names and words the recogniser kept hearing as something else.

Read from the job's report (mediakit's narrate stage lists, for every take of every unit, the must-hear words
that were not heard and what was heard in their place). A word is suggested when the take the job kept still
misses it; numbers are left out (a respelling is not how a number is fixed).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from accounts.access import has_role
from accounts.roles import Action, roles_for
from renders.models import RenderJob
from renders.services import Refused, regenerate_blocks
from scripts.pronunciations import pronunciations_of, save_pronunciation


@dataclass(frozen=True)
class Suggestion:
    written: str  # as the script writes it
    heard: str  # what the recogniser heard most often in its place ("" when nothing was heard)
    times: int  # takes that missed it, over the whole job
    blocks: tuple[int, ...]  # the blocks (0-based) that say it
    respelled_as: str  # the respelling the job already used for it, if the dictionary had one

    @property
    def sentence(self) -> str:
        heard = f"heard “{self.heard}” for “{self.written}”" if self.heard else f"did not hear “{self.written}”"
        times = "once" if self.times == 1 else "twice" if self.times == 2 else f"{self.times} times"
        return f"We {heard} {times}."


def pronunciation_suggestions(job: RenderJob) -> list[Suggestion]:
    report = job.report or {}
    heard_as: dict[str, Counter] = defaultdict(Counter)
    written_as: dict[str, str] = {}
    blocks: dict[str, set[int]] = defaultdict(set)
    still_missed: set[str] = set()
    for block in report.get("blocks", []):
        for unit in block.get("units", []):
            for take in unit.get("takes") or [unit]:
                for written, heard in take.get("missed", []):
                    if not any(character.isalpha() for character in written):
                        continue
                    key = written.casefold()
                    written_as.setdefault(key, written)
                    heard_as[key][heard] += 1
                    blocks[key].add(block["index"])
            still_missed.update(written.casefold() for written, _ in unit.get("missed", []))
    if not still_missed:
        return []
    used = {written.casefold(): spoken for written, spoken in (job.render_options.pronunciations or {}).items()}
    found = [
        Suggestion(
            written=written_as[key],
            heard=heard_as[key].most_common(1)[0][0],
            times=heard_as[key].total(),
            blocks=tuple(sorted(blocks[key])),
            respelled_as=used.get(key, ""),
        )
        for key in heard_as
        if key in still_missed
    ]
    return sorted(found, key=lambda suggestion: (-suggestion.times, suggestion.written.casefold()))


def status_context(job: RenderJob, user) -> dict:
    """What the job's status fragment shows one member, on the page and over the live socket alike: every
    member watches; those who may act get the buttons and, once it ended, the pronunciations it suggests."""
    can_write = has_role(job.workspace, user, roles_for(Action.WRITE))
    return {
        "job": job,
        "can_write": can_write,
        "suggestions": pronunciation_suggestions(job) if can_write and job.is_finished else [],
    }


def adopt_suggestion(job: RenderJob, written: str, spoken: str, user) -> RenderJob:
    """Put `written` → `spoken` in the workspace's dictionary (changing the entry it already has for the word)
    and regenerate the blocks that say it, in one new job. Raises PronunciationRefused for a bad entry,
    services.Refused when the job suggests nothing for `written`, QuotaExceeded when the plan cannot take the
    new job (the entry is kept: the next render uses it)."""
    suggestion = next(
        (found for found in pronunciation_suggestions(job) if found.written.casefold() == written.casefold()), None
    )
    if suggestion is None:
        raise Refused(f"This render has no pronunciation to suggest for “{written}”.")
    existing = pronunciations_of(job.workspace).filter(written__iexact=suggestion.written, campaign=None).first()
    save_pronunciation(job.workspace, written=suggestion.written, spoken=spoken, entry=existing)
    return regenerate_blocks(job, list(suggestion.blocks), user)
