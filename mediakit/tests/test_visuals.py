"""Visual sources: Pexels and Pixabay against a local fake of their APIs, the library's tags, the choice per
scene (keywords → candidates, no repeats) and every fallback."""

import shutil
from pathlib import Path

import pytest

from mediakit.text.embeddings import EmbeddingUnavailable, embed
from mediakit.video.storyboard import Background, Scene, Storyboard
from mediakit.visuals import PHOTO, VIDEO, query_for
from mediakit.visuals.choice import choose
from mediakit.visuals.download import DownloadError, Fetcher
from mediakit.visuals.library import Library, LibraryItem, clean_tags, tags_from_name
from mediakit.visuals.stock import Pexels, Pixabay, allowed_download
from tests import fake_stock


class Folder:
    """The storage protocol over a local folder (the app passes Django's default storage)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def exists(self, name: str) -> bool:
        return (self.root / name).exists()

    def open(self, name: str, mode: str = "rb"):
        return (self.root / name).open(mode)

    def save(self, name: str, content) -> str:
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        with (self.root / name).open("wb") as out:
            shutil.copyfileobj(content, out)
        return name

    def delete(self, name: str) -> None:
        (self.root / name).unlink()

    def path(self, name: str) -> str:
        return str(self.root / name)


@pytest.fixture
def stock():
    fake = fake_stock.FakeStock()
    server = fake_stock.start(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetcher(tmp_path) -> Fetcher:
    return Fetcher(Folder(tmp_path / "storage"), "workspaces/1/stock", tmp_path / "work")


def scene(start: float, *keywords: str, path: str | None = None) -> Scene:
    background = Background("image", (), path) if path else Background("gradient", ("#000000", "#ffffff"))
    return Scene(start=start, end=start + 2, block=0, speaker="Host", background=background, keywords=keywords)


def board(*scenes: Scene) -> Storyboard:
    return Storyboard(duration=scenes[-1].end, scenes=scenes)


def pexels(stock) -> Pexels:
    return Pexels(fake_stock.PEXELS_KEY, stock.pexels_url, target_side=320)


def pixabay(stock) -> Pixabay:
    return Pixabay(fake_stock.PIXABAY_KEY, stock.pixabay_url, target_side=320)


def test_a_scene_is_searched_by_its_keywords():
    assert query_for(scene(0, "ocean", "waves")) == "ocean waves"


def test_pexels_finds_videos_then_photos_with_license_and_attribution(stock):
    stock.add("ocean", "ocean.mp4", fake_stock.tiny_mp4())
    stock.add("ocean", "ocean.jpg", fake_stock.tiny_jpeg())
    found = pexels(stock).find(scene(0, "ocean"), "9:16")
    assert [(c.kind, c.attribution) for c in found] == [
        (VIDEO, "Video by Ana Lens on Pexels"),
        (PHOTO, "Photo by Ben Shutter on Pexels"),
    ]
    assert found[0].license.startswith("Pexels License") and found[0].page_url.startswith("https://www.pexels.com/")
    path, query, headers = stock.requests[0]
    assert path == "/pexels/videos/search" and query["orientation"] == ["portrait"]
    assert headers["authorization"] == fake_stock.PEXELS_KEY


def test_pixabay_finds_videos_and_photos_with_the_key_as_a_parameter(stock):
    stock.add("forest", "forest.mp4", fake_stock.tiny_mp4())
    stock.add("forest", "forest.jpg", fake_stock.tiny_jpeg())
    found = pixabay(stock).find(scene(0, "forest"), "9:16")
    assert [(c.kind, c.attribution) for c in found] == [
        (VIDEO, "Video by Cara Film on Pixabay"),
        (PHOTO, "Image by Dan Still on Pixabay"),
    ]
    assert stock.requests[1][1]["orientation"] == ["vertical"]


def test_when_all_keywords_find_nothing_the_strongest_alone_is_tried(stock):
    stock.overrides["/pexels/v1/search"] = (200, {"photos": []})
    found = pexels(stock).find(scene(0, "ocean", "zebra"), "9:16")
    assert found == []
    assert [q["query"] for p, q, _ in stock.requests if p == "/pexels/videos/search"] == [["ocean zebra"], ["ocean"]]


def test_links_outside_the_provider_are_never_kept():
    base = "http://127.0.0.1:9999/pexels"
    assert allowed_download("https://videos.pexels.com/video-files/1/a.mp4", frozenset({"videos.pexels.com"}), base)
    assert allowed_download("http://127.0.0.1:9999/files/a.mp4", frozenset(), base)
    assert not allowed_download("http://videos.pexels.com/a.mp4", frozenset({"videos.pexels.com"}), base)
    assert not allowed_download("https://evil.example/a.mp4", frozenset({"videos.pexels.com"}), base)
    assert not allowed_download("http://127.0.0.1:8000/admin", frozenset(), base)


def test_each_scene_gets_its_own_clip_never_the_same_twice(stock, fetcher):
    stock.add("city", "city-1.mp4", fake_stock.tiny_mp4("red"))
    stock.add("city", "city-2.mp4", fake_stock.tiny_mp4("blue"))
    stock.add("city", "city.jpg", fake_stock.tiny_jpeg())
    result = choose(board(scene(0, "city"), scene(2, "city"), scene(4, "city")), [pexels(stock)], "9:16", fetcher)
    chosen = [v["id"] for v in result.visuals]
    assert chosen == ["video-1000", "video-1001", "photo-2002"]
    assert [s.background.kind for s in result.local.scenes] == ["video", "video", "image"]
    assert all(Path(s.background.path).is_file() for s in result.local.scenes)
    assert result.stored.scenes[0].background.path == "workspaces/1/stock/pexels-video-1000.mp4"
    assert result.visuals[0]["attribution"] == "Video by Ana Lens on Pexels"


def test_downloads_are_cached_per_workspace(stock, fetcher):
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    choose(board(scene(0, "city")), [pexels(stock)], "9:16", fetcher)
    downloads = sum(1 for path, _, _ in stock.requests if path.startswith("/files/"))
    choose(board(scene(0, "city")), [pexels(stock)], "9:16", fetcher)
    assert sum(1 for path, _, _ in stock.requests if path.startswith("/files/")) == downloads == 1


@pytest.mark.parametrize(
    ("status", "note"), [(401, "refused the API key (401)"), (429, "rate limit reached (429)"), (500, "answered 500")]
)
def test_a_source_error_keeps_the_generated_look_with_a_note(stock, fetcher, status, note):
    stock.overrides["/pexels/videos/search"] = (status, {"error": "no"})
    original = board(scene(0, "city"), scene(2, "city"))
    result = choose(original, [pexels(stock)], "9:16", fetcher)
    assert result.local == original and result.visuals == []
    assert f"scene 1: Pexels {note}" in result.notes
    searches = [p for p, _, _ in stock.requests if p == "/pexels/videos/search"]
    assert len(searches) == (1 if status in (401, 429) else 2)  # a bad key or rate limit: not asked again


def test_a_wrong_key_at_pixabay_is_a_note_too(stock, fetcher):
    result = choose(board(scene(0, "city")), [Pixabay("wrong", stock.pixabay_url)], "9:16", fetcher)
    assert result.notes[0] == "scene 1: Pixabay refused the API key (400)"


def test_nothing_found_keeps_the_generated_look(stock, fetcher):
    result = choose(board(scene(0, "unicorn")), [pexels(stock)], "9:16", fetcher)
    assert result.visuals == [] and "nothing found for “unicorn”" in result.notes[0]


def test_a_corrupt_download_is_refused_and_the_next_candidate_used(stock, fetcher):
    stock.add("city", "broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    result = choose(board(scene(0, "city")), [pexels(stock)], "9:16", fetcher)
    assert [v["id"] for v in result.visuals] == ["video-1001"]
    assert "unusable" in result.notes[0]
    assert not any("broken" in p.name for p in (fetcher.workdir).iterdir())


def test_a_download_over_the_size_limit_is_refused(stock, tmp_path):
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    small = Fetcher(Folder(tmp_path / "s"), "workspaces/1/stock", tmp_path / "w", max_bytes=100)
    candidate = pexels(stock).find(scene(0, "city"), "9:16")[0]
    with pytest.raises(DownloadError, match="larger than"):
        small.fetch(candidate, pexels(stock).allows)


def test_a_link_to_another_host_is_not_downloaded(stock, fetcher):
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    candidate = pexels(stock).find(scene(0, "city"), "9:16")[0]
    elsewhere = Pexels(fake_stock.PEXELS_KEY, "https://api.pexels.com")
    with pytest.raises(DownloadError, match="outside the provider"):
        fetcher.fetch(candidate, elsewhere.allows)


def test_scenes_with_a_chosen_file_are_left_alone(stock, fetcher):
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    mine = scene(0, "city", path="workspaces/1/media/mine.jpg")
    result = choose(board(mine), [pexels(stock)], "9:16", fetcher)
    assert result.local.scenes[0] is mine and stock.requests == []


def test_library_items_are_tagged_from_their_file_name_and_the_creator():
    assert tags_from_name("Beach_sunset-2024 (1).JPG") == ["beach", "sunset"]
    assert clean_tags(" Dogs , puppy,,dogs ") == ["dogs", "puppy"]


def test_the_library_comes_first_and_matches_tags_with_plurals_folded(stock, fetcher):
    storage = fetcher.storage
    storage.save("workspaces/1/library/dog.jpg", __import__("io").BytesIO(fake_stock.tiny_jpeg()))
    item = LibraryItem("7", "workspaces/1/library/dog.jpg", PHOTO, ("dogs", "park"), 320, 568)
    stock.add("dog", "dog.mp4", fake_stock.tiny_mp4())
    result = choose(board(scene(0, "dog"), scene(2, "dog")), [Library([item]), pexels(stock)], "9:16", fetcher)
    assert [(v["source"], v["id"]) for v in result.visuals] == [("library", "7"), ("pexels", "video-1000")]
    assert result.stored.scenes[0].background.path == "workspaces/1/library/dog.jpg"


def test_a_redirect_is_followed_only_inside_the_provider(stock, fetcher):
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    stock.add("city", "moved.mp4", b"")
    stock.redirects["/files/city.mp4"] = "/files/moved.mp4"
    stock.files["moved.mp4"] = fake_stock.tiny_mp4("red")
    source = pexels(stock)
    first = source.find(scene(0, "city"), "9:16")[0]
    assert fetcher.fetch(first, source.allows)[0].endswith("pexels-video-1000.mp4")
    stock.redirects["/files/moved.mp4"] = "https://evil.example/x.mp4"
    second = source.find(scene(0, "city"), "9:16")[1]
    with pytest.raises(DownloadError, match="outside the provider"):
        fetcher.fetch(second, source.allows)


def test_a_download_that_drips_forever_is_stopped_by_one_overall_deadline(stock, tmp_path):
    stock.add("city", "city.mp4", fake_stock.tiny_mp4())
    stock.drip.add("/files/city.mp4")
    patient = Fetcher(Folder(tmp_path / "s"), "workspaces/1/stock", tmp_path / "w", timeout=0.5)
    source = pexels(stock)
    with pytest.raises(DownloadError, match="took too long"):
        patient.fetch(source.find(scene(0, "city"), "9:16")[0], source.allows)


SEARCHES = {
    "pexels": ("/pexels/videos/search", "/pexels/v1/search"),
    "pixabay": ("/pixabay/api/videos/", "/pixabay/api/"),
}


@pytest.mark.parametrize("name", ["pexels", "pixabay"])
@pytest.mark.parametrize(
    ("failure", "note"),
    [
        ("401", "refused the API key (401)"),
        ("429", "rate limit reached (429)"),
        ("nothing found", "nothing found for “city”"),
        ("corrupt download", "no usable download; generated look kept"),
    ],
)
def test_every_stock_failure_keeps_the_generated_look_with_a_note(stock, fetcher, name, failure, note):
    """Each source, each way it fails: the scene keeps its generated look and the report says why; no error."""
    source = pexels(stock) if name == "pexels" else pixabay(stock)
    if failure in ("401", "429"):
        for path in SEARCHES[name]:
            stock.overrides[path] = (int(failure), {"error": "no"})
    elif failure == "corrupt download":
        stock.add("city", "broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
        stock.add("city", "broken.jpg", b"\xff\xd8\xff\xe0 not really a picture")
    original = board(scene(0, "city"))
    result = choose(original, [source], "9:16", fetcher)
    assert result.local == original and result.stored == original and result.visuals == []
    assert any(note in each for each in result.notes), result.notes
    assert all(each.startswith("scene 1: ") for each in result.notes)


def test_the_library_also_matches_by_meaning_when_no_tag_is_shared():
    ocean = LibraryItem("1", "workspaces/1/library/a.mp4", VIDEO, ("ocean", "waves", "beach"), 320, 568)
    office = LibraryItem("2", "workspaces/1/library/b.jpg", PHOTO, ("office", "desk", "laptop"), 320, 568)
    untagged = LibraryItem("3", "workspaces/1/library/c.jpg", PHOTO, (), 320, 568)
    library = Library([office, ocean, untagged], embed=embed)
    assert [c.id for c in library.find(scene(0, "sea"), "9:16")] == ["1"]  # no tag says "sea"
    assert [c.id for c in library.search("waves laptop desk", "9:16")] == ["2", "1"]  # most shared tags first
    assert library.search("quantum chromodynamics", "9:16") == []  # nothing close: nothing offered
    assert Library([ocean]).find(scene(0, "sea"), "9:16") == []  # without a model: tags alone


def test_without_the_embedding_model_the_library_matches_tags_alone():
    def unavailable(text: str):
        raise EmbeddingUnavailable("no model files")

    ocean = LibraryItem("1", "workspaces/1/library/a.mp4", VIDEO, ("ocean",), 320, 568)
    library = Library([ocean], embed=unavailable)
    assert library.find(scene(0, "sea"), "9:16") == [] and [c.id for c in library.search("ocean", "9:16")] == ["1"]
