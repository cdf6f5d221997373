"""A local fake of the Pexels and Pixabay APIs: answers shaped as their documentation shows, and the files
their answers link to (tiny real MP4 and JPEG files made with ffmpeg), all on 127.0.0.1.

Pexels lives under /pexels (its /videos/search and /v1/search), Pixabay under /pixabay/api (its / and
/videos/); files under /files/. Per-path overrides answer with another status or body.
"""

import functools
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import imageio_ffmpeg

from tests.fake_http import FakeHandler, serve

PEXELS_KEY = "pexels-test-key-0123456789"
PIXABAY_KEY = "12345-pixabaytestkey"


@functools.cache
def tiny_mp4(colour: str = "teal") -> bytes:
    """One second of 320x568 H.264 (portrait), made by the ffmpeg the app uses."""
    return _made(["-f", "lavfi", "-i", f"color=c={colour}:s=320x568:r=10:d=1", "-pix_fmt", "yuv420p"], "mp4")


@functools.cache
def tiny_jpeg(colour: str = "orange") -> bytes:
    return _made(["-f", "lavfi", "-i", f"color=c={colour}:s=320x568", "-frames:v", "1"], "jpg")


def _made(args: list[str], extension: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"out.{extension}"
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", *args, str(out)], check=True)
        return out.read_bytes()


@dataclass
class FakeStock:
    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # /files/<name> -> content
    overrides: dict[str, tuple[int, Any]] = field(default_factory=dict)  # path -> (status, JSON body)
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location
    drip: set[str] = field(default_factory=set)  # paths answered a byte at a time, slowly, for ever
    results: dict[str, list[str]] = field(default_factory=dict)  # word -> file names found for it
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)

    @property
    def pexels_url(self) -> str:
        return f"{self.url}/pexels"

    @property
    def pixabay_url(self) -> str:
        return f"{self.url}/pixabay/api"

    def add(self, word: str, name: str, content: bytes) -> None:
        """Searching for `word` finds the file `name` (a video when it ends in .mp4, else a photo)."""
        self.files[name] = content
        self.results.setdefault(word, []).append(name)

    def found(self, query: str, videos: bool) -> list[str]:
        names = [n for word in query.lower().split() for n in self.results.get(word, [])]
        return [n for n in dict.fromkeys(names) if n.endswith(".mp4") == videos]

    # --- answers shaped as the providers' documentation shows ---------------------------------------------

    def pexels_videos(self, query: str) -> dict[str, Any]:
        videos = [
            {
                "id": 1000 + number,
                "width": 1080,
                "height": 1920,
                "url": f"https://www.pexels.com/video/{name}-{1000 + number}/",
                "image": f"https://images.pexels.com/videos/{1000 + number}/pictures/preview-0.jpg",
                "duration": 1,
                "user": {"id": 42, "name": "Ana Lens", "url": "https://www.pexels.com/@ana"},
                "video_files": [
                    {
                        "id": 5000 + number,
                        "quality": "sd",
                        "file_type": "video/mp4",
                        "width": 320,
                        "height": 568,
                        "fps": 10,
                        "link": f"{self.url}/files/{name}",
                    }
                ],
                "video_pictures": [],
            }
            for number, name in self._numbered(query, videos=True)
        ]
        return {"page": 1, "per_page": 15, "total_results": len(videos), "url": "", "videos": videos}

    def pexels_photos(self, query: str) -> dict[str, Any]:
        photos = [
            {
                "id": 2000 + number,
                "width": 320,
                "height": 568,
                "url": f"https://www.pexels.com/photo/{name}-{2000 + number}/",
                "photographer": "Ben Shutter",
                "photographer_url": "https://www.pexels.com/@ben",
                "photographer_id": 7,
                "avg_color": "#978E82",
                "src": {
                    "original": f"{self.url}/files/{name}",
                    "large2x": f"{self.url}/files/{name}",
                    "large": f"{self.url}/files/{name}",
                    "tiny": f"https://images.pexels.com/photos/{2000 + number}/tiny.jpeg",
                },
                "liked": False,
                "alt": name,
            }
            for number, name in self._numbered(query, videos=False)
        ]
        return {"page": 1, "per_page": 15, "total_results": len(photos), "photos": photos}

    def pixabay_videos(self, query: str) -> dict[str, Any]:
        hits = [
            {
                "id": 3000 + number,
                "pageURL": f"https://pixabay.com/videos/id-{3000 + number}/",
                "type": "film",
                "tags": query.replace(" ", ", "),
                "duration": 1,
                "videos": {
                    "small": {
                        "url": f"{self.url}/files/{name}",
                        "width": 320,
                        "height": 568,
                        "size": 1000,
                        "thumbnail": f"https://cdn.pixabay.com/video/{3000 + number}_tiny.jpg",
                    }
                },
                "views": 1,
                "downloads": 1,
                "likes": 1,
                "comments": 0,
                "user_id": 9,
                "user": "Cara Film",
                "userImageURL": "",
            }
            for number, name in self._numbered(query, videos=True)
        ]
        return {"total": len(hits), "totalHits": len(hits), "hits": hits}

    def pixabay_photos(self, query: str) -> dict[str, Any]:
        hits = [
            {
                "id": 4000 + number,
                "pageURL": f"https://pixabay.com/photos/id-{4000 + number}/",
                "type": "photo",
                "tags": query.replace(" ", ", "),
                "previewURL": f"https://cdn.pixabay.com/photo/{4000 + number}_150.jpg",
                "webformatURL": f"{self.url}/files/{name}",
                "largeImageURL": f"{self.url}/files/{name}",
                "imageWidth": 320,
                "imageHeight": 568,
                "imageSize": 1000,
                "user_id": 9,
                "user": "Dan Still",
                "userImageURL": "",
            }
            for number, name in self._numbered(query, videos=False)
        ]
        return {"total": len(hits), "totalHits": len(hits), "hits": hits}

    def _numbered(self, query: str, videos: bool) -> list[tuple[int, str]]:
        everything = list(self.files)
        return [(everything.index(name), name) for name in self.found(query, videos)]


def _handler_for(fake: FakeStock) -> type[FakeHandler]:
    class Handler(FakeHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            fake.requests.append((parts.path, query, {k.lower(): v for k, v in self.headers.items()}))
            if parts.path in fake.redirects:
                self.send_response(302)
                self.send_header("location", fake.redirects[parts.path])
                self.send_header("content-length", "0")
                self.end_headers()
                return None
            if parts.path in fake.drip:
                self.send_response(200)
                self.send_header("content-type", "video/mp4")
                self.end_headers()
                try:
                    for _ in range(600):
                        self.wfile.write(b"\0")
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass  # the client gave up
                return None
            if parts.path in fake.overrides:
                return self._json(*fake.overrides[parts.path])
            if parts.path.startswith("/files/"):
                content = fake.files.get(parts.path.removeprefix("/files/"))
                if content is None:
                    return self._json(404, {"error": "not found"})
                return self._send(200, content, "application/octet-stream")
            if parts.path.startswith("/pexels/"):
                if self.headers.get("authorization") != PEXELS_KEY:
                    return self._json(401, {"error": "Unauthorized"})
                words = query.get("query", [""])[0]
                if parts.path == "/pexels/videos/search":
                    return self._json(200, fake.pexels_videos(words))
                if parts.path == "/pexels/v1/search":
                    return self._json(200, fake.pexels_photos(words))
            if parts.path.startswith("/pixabay/api/"):
                if query.get("key", [""])[0] != PIXABAY_KEY:
                    return self._send(400, b"[ERROR 400] Invalid or missing API key", "text/plain")
                words = query.get("q", [""])[0]
                if parts.path == "/pixabay/api/videos/":
                    return self._json(200, fake.pixabay_videos(words))
                if parts.path == "/pixabay/api/":
                    return self._json(200, fake.pixabay_photos(words))
            return self._json(404, {"error": "not found"})

    return Handler


def start(fake: FakeStock) -> ThreadingHTTPServer:
    server, fake.url = serve(_handler_for(fake))
    return server
