"""Sentence embeddings computed here from files a package installed: meaning, not shared words, brings texts
together; nothing is fetched from the network."""

import socket

import numpy as np
import pytest

from mediakit.text import embeddings
from mediakit.text.embeddings import DIMENSION, embed, from_bytes, nearest, to_bytes

BREAD = "How to bake sourdough bread at home"


def test_texts_close_in_meaning_are_closer_than_unrelated_ones():
    bread, starter, stocks = (
        embed(BREAD),
        embed("A beginner's guide to baking loaves with a starter"),
        embed("The stock market fell sharply today"),
    )
    assert bread @ starter > 0.5 > 0.2 > bread @ stocks


def test_vectors_are_unit_length_float32_of_the_models_size():
    for text in (BREAD, "", "word " * 3000):  # empty and longer than the model's window
        vector = embed(text)
        assert vector.dtype == np.float32 and vector.shape == (DIMENSION,)
        assert abs(float(np.linalg.norm(vector)) - 1) < 1e-4


def test_a_long_text_is_read_past_its_first_window():
    opening = "Our recipe for sourdough bread, step by step. " * 30  # more than 256 tokens of bread
    assert embed(opening) @ embed(opening + "Now let us talk about stock markets and interest rates. " * 30) < 0.97


def test_vectors_survive_the_database_bytes():
    vector = embed(BREAD)
    assert np.array_equal(from_bytes(to_bytes(vector)), vector) and len(to_bytes(vector)) == DIMENSION * 4


def test_nearest_ranks_best_first_and_honours_the_limit():
    query = np.array([1.0, 0.0])
    candidates = [np.array([0.0, 1.0]), np.array([0.8, 0.6]), np.array([1.0, 0.0])]
    assert nearest(query, candidates, 2) == [(2, 1.0), (1, pytest.approx(0.8))]
    assert nearest(query, [], 5) == [] and nearest(query, candidates, 0) == []


def test_the_model_loads_and_runs_without_any_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(embeddings, "_MODEL", embeddings._Model())  # a fresh load, under the ban
    assert embed(BREAD).shape == (DIMENSION,)
