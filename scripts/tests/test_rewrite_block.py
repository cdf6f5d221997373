"""A block's new words written back into its script (the storyboard editor's "Say scene N with these words")."""

import pytest

from mediakit.text.script import parse_text
from scripts.models import Script
from scripts.services import rewrite_block
from tests.factories import workspace_of

pytestmark = [pytest.mark.django_db]


def script_of(owner, body: str) -> Script:
    return Script.objects.create(workspace=workspace_of(owner), title="T", body=body)


def test_the_blocks_line_gets_the_new_words_and_keeps_its_line_ending(owner):
    script = script_of(owner, "# intro\r\nHost:  Hello there.\r\n[pause 1s]\r\nGuest: Hi!\r\n")
    block = parse_text(script.body)[0]
    assert rewrite_block(script, block, "Good morning.")
    script.refresh_from_db()
    assert script.body == "# intro\r\nHost: Good morning.\r\n[pause 1s]\r\nGuest: Hi!\r\n"


@pytest.mark.parametrize(
    ("body", "changed_since"),
    [("Host: Hello there,\nand welcome.\nGuest: Hi!", ""), ("Host: Hello there.\nGuest: Hi!", "Host: Hello you.")],
    ids=["block-over-two-lines", "script-changed-since"],
)
def test_a_block_it_cannot_find_on_one_line_leaves_the_script_alone(owner, body, changed_since):
    script = script_of(owner, body)
    block = parse_text(body)[0]
    if changed_since:
        Script.objects.filter(pk=script.pk).update(body=changed_since)
    assert not rewrite_block(script, block, "Good morning.")
    script.refresh_from_db()
    assert script.body == (changed_since or body)
