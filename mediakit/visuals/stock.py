"""Pexels and Pixabay: video and photo search through their documented HTTP APIs.

Pexels: https://www.pexels.com/api/documentation/ (key in the Authorization header; /videos/search and
/v1/search). Pixabay: https://pixabay.com/api/docs/ (key as a query parameter; /api/ and /api/videos/).
Answers are hostile input: read up to a limit, every field checked before use; a link is kept only when
`download.py` would fetch it (https to the provider's hosts, or the configured base URL's own origin).
"""

import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from mediakit.video.storyboard import Scene
from mediakit.visuals import PHOTO, VIDEO, Candidate, SourceError, fits, orientation, query_for

MAX_ANSWER_BYTES = 2 * 1024 * 1024
PER_PAGE = 15
PEXELS_HOSTS = frozenset({"images.pexels.com", "videos.pexels.com", "player.vimeo.com"})
PIXABAY_HOSTS = frozenset({"pixabay.com", "cdn.pixabay.com"})
PEXELS_LICENSE = "Pexels License (https://www.pexels.com/license/)"
PIXABAY_LICENSE = "Pixabay Content License (https://pixabay.com/service/license-summary/)"


def allowed_download(url: str, hosts: frozenset[str], base_url: str) -> bool:
    """https to one of the provider's hosts, or the configured API's own origin (a local fake in tests)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname in hosts and parts.port in (None, 443):
        return True
    return (parts.scheme, parts.hostname, parts.port) == (base.scheme, base.hostname, base.port)


class _Stock:
    name = ""
    hosts: frozenset[str] = frozenset()

    def __init__(self, api_key: str, base_url: str, *, timeout: float = 10.0, target_side: int = 1080) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.target_side = target_side  # the video's short side: files nearest above it are preferred

    def find(self, scene: Scene, aspect: str) -> list[Candidate]:
        query = query_for(scene)
        if not query:
            return []
        found = self.search(query, aspect)
        if not found and len(query.split()) > 1:  # all words at once found nothing: the strongest one alone
            found = self.search(query.split()[0], aspect)
        return found

    def search(self, query: str, aspect: str) -> list[Candidate]:
        found = self._videos(query, aspect) + self._photos(query, aspect)
        # Footage before photos, the video's own shape first; otherwise the provider's relevance order.
        return sorted(found, key=lambda c: (c.kind != VIDEO, not fits(c, aspect)))

    def _videos(self, query: str, aspect: str) -> list[Candidate]:
        raise NotImplementedError

    def _photos(self, query: str, aspect: str) -> list[Candidate]:
        raise NotImplementedError

    def _get(self, path: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}{path}"
        deadline = time.monotonic() + self.timeout  # httpx's timeout bounds each read, not the whole answer
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("GET", url, params=params, headers=headers or {}) as answer,
            ):
                if answer.status_code in (401, 403) or (self.name == "pixabay" and answer.status_code == 400):
                    raise SourceError(f"{self.label} refused the API key ({answer.status_code})", give_up=True)
                if answer.status_code == 429:
                    raise SourceError(f"{self.label} rate limit reached (429)", give_up=True)
                if answer.status_code != 200:
                    raise SourceError(f"{self.label} answered {answer.status_code}")
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES or time.monotonic() > deadline:
                        raise SourceError(f"{self.label} answer too large or too slow")
        except httpx.HTTPError as error:
            raise SourceError(f"{self.label} cannot be reached ({type(error).__name__})") from None
        try:
            data = json.loads(body)
        except ValueError:
            raise SourceError(f"{self.label} answered something other than JSON") from None
        if not isinstance(data, dict):
            raise SourceError(f"{self.label} answered an unexpected shape")
        return data

    @property
    def label(self) -> str:
        return self.name.capitalize()

    def allows(self, url: Any) -> bool:
        return isinstance(url, str) and allowed_download(url, self.hosts, self.base_url)

    def _best_file(self, files: list[tuple[int, int, str]]) -> tuple[int, int, str] | None:
        """The smallest file whose short side reaches the video's, else the largest: no 4K for a 1080p video."""
        usable = [f for f in files if f[0] > 0 and f[1] > 0 and self.allows(f[2])]
        big_enough = [f for f in usable if min(f[0], f[1]) >= self.target_side]
        if big_enough:
            return min(big_enough, key=lambda f: f[0] * f[1])
        return max(usable, key=lambda f: f[0] * f[1], default=None)


class Pexels(_Stock):
    name = "pexels"
    hosts = PEXELS_HOSTS

    def _videos(self, query: str, aspect: str) -> list[Candidate]:
        data = self._get("/videos/search", self._params(query, aspect), {"Authorization": self.api_key})
        found = []
        for video in _list(data.get("videos")):
            files = [
                (_int(f.get("width")), _int(f.get("height")), f.get("link"))
                for f in _list(video.get("video_files"))
                if f.get("file_type") == "video/mp4"
            ]
            best = self._best_file(files)
            user = video.get("user") if isinstance(video.get("user"), dict) else {}
            if best is None or video.get("id") is None:
                continue
            found.append(
                Candidate(
                    source=self.name,
                    id=f"video-{_text(video.get('id'))}",
                    kind=VIDEO,
                    width=best[0],
                    height=best[1],
                    duration=float(_int(video.get("duration"))),
                    url=best[2],
                    preview=_https(video.get("image")),
                    license=PEXELS_LICENSE,
                    attribution=f"Video by {_text(user.get('name')) or 'a Pexels creator'} on Pexels",
                    page_url=_https(video.get("url")) or "",
                )
            )
        return found

    def _photos(self, query: str, aspect: str) -> list[Candidate]:
        data = self._get("/v1/search", self._params(query, aspect), {"Authorization": self.api_key})
        found = []
        for photo in _list(data.get("photos")):
            src = photo.get("src") if isinstance(photo.get("src"), dict) else {}
            # "large2x" is the original scaled to at most 1880 px wide (the docs' sizes): enough, never huge.
            url = src.get("large2x") or src.get("large")
            if photo.get("id") is None or not self.allows(url):
                continue
            found.append(
                Candidate(
                    source=self.name,
                    id=f"photo-{_text(photo.get('id'))}",
                    kind=PHOTO,
                    width=_int(photo.get("width")),
                    height=_int(photo.get("height")),
                    url=url,
                    preview=_https(src.get("tiny") or src.get("small")),
                    license=PEXELS_LICENSE,
                    attribution=f"Photo by {_text(photo.get('photographer')) or 'a Pexels photographer'} on Pexels",
                    page_url=_https(photo.get("url")) or "",
                )
            )
        return found

    def _params(self, query: str, aspect: str) -> dict[str, Any]:
        return {"query": query, "orientation": orientation(aspect), "per_page": PER_PAGE}


class Pixabay(_Stock):
    name = "pixabay"
    hosts = PIXABAY_HOSTS

    def _videos(self, query: str, aspect: str) -> list[Candidate]:
        data = self._get("/videos/", {"key": self.api_key, "q": query, "safesearch": "true", "per_page": PER_PAGE})
        found = []
        for hit in _list(data.get("hits")):
            sizes = hit.get("videos") if isinstance(hit.get("videos"), dict) else {}
            files = [
                (_int(v.get("width")), _int(v.get("height")), v.get("url"))
                for v in sizes.values()
                if isinstance(v, dict)
            ]
            best = self._best_file(files)
            if best is None or hit.get("id") is None:
                continue
            thumbnail = next((v.get("thumbnail") for v in sizes.values() if isinstance(v, dict)), None)
            found.append(
                Candidate(
                    source=self.name,
                    id=f"video-{_text(hit.get('id'))}",
                    kind=VIDEO,
                    width=best[0],
                    height=best[1],
                    duration=float(_int(hit.get("duration"))),
                    url=best[2],
                    preview=_https(thumbnail),
                    license=PIXABAY_LICENSE,
                    attribution=f"Video by {_text(hit.get('user')) or 'a Pixabay creator'} on Pixabay",
                    page_url=_https(hit.get("pageURL")) or "",
                    tags=_tags(hit.get("tags")),
                )
            )
        return found

    def _photos(self, query: str, aspect: str) -> list[Candidate]:
        shape = {"portrait": "vertical", "landscape": "horizontal"}.get(orientation(aspect), "all")
        params = {
            "key": self.api_key,
            "q": query,
            "image_type": "photo",
            "orientation": shape,
            "safesearch": "true",
            "per_page": PER_PAGE,
        }
        data = self._get("/", params)
        found = []
        for hit in _list(data.get("hits")):
            url = hit.get("largeImageURL")  # at most 1280 px: the docs' size for apps
            if hit.get("id") is None or not self.allows(url):
                continue
            found.append(
                Candidate(
                    source=self.name,
                    id=f"photo-{_text(hit.get('id'))}",
                    kind=PHOTO,
                    width=_int(hit.get("imageWidth")),
                    height=_int(hit.get("imageHeight")),
                    url=url,
                    preview=_https(hit.get("previewURL")),
                    license=PIXABAY_LICENSE,
                    attribution=f"Image by {_text(hit.get('user')) or 'a Pixabay creator'} on Pixabay",
                    page_url=_https(hit.get("pageURL")) or "",
                    tags=_tags(hit.get("tags")),
                )
            )
        return found


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**7 else 0


def _text(value: Any, limit: int = 80) -> str:
    return "".join(ch for ch in str(value) if ch.isprintable())[:limit] if value is not None else ""


def _https(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith("https://") and len(value) < 2000 else None


def _tags(value: Any) -> tuple[str, ...]:
    return tuple(t.strip().lower() for t in value.split(",") if t.strip())[:20] if isinstance(value, str) else ()
