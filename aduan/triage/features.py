"""The learned classifier's features: words, word pairs and the letters inside words, fast.

A matching form is already lower case and split by single spaces, so the
features need no tokenizer: each word, each pair of neighbouring words, and
the character 3- to 5-grams of each word with its edges marked (``<got>``
gives ``<go``, ``got``, ``ot>``, ``<got``, ``got>``, ``<got>``) — the grams
let "mampet", "mampetnya" and "mampeet" share most features. Counts are
damped (1 + log), weighted by inverse document frequency and scaled to unit
length, as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` does.

Why not that vectorizer: it looks every gram up one by one for every text
(about 0.6 ms a complaint). Here each distinct word's feature ids are looked
up once and kept, so a complaint costs a few dozen dictionary hits.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

GRAMS = (3, 5)
CACHE_LIMIT = 200_000  # distinct words remembered before the cache starts over


def word_grams(word: str) -> list[str]:
    """The word itself and its character n-grams, edges marked with ``<`` and ``>``."""
    marked = f"<{word}>"
    out = [word]
    low, high = GRAMS
    for n in range(low, high + 1):
        out.extend(marked[i : i + n] for i in range(len(marked) - n + 1))
    return out


def analyze(form: str) -> list[str]:
    """Every feature of one matching form (with repeats)."""
    words = form.split()
    out = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        out.extend(word_grams(word))
    return out


class WordGrams(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Sparse TF-IDF rows for matching forms (see the module docstring)."""

    def fit(self, forms: Iterable[str], y: Any = None) -> WordGrams:
        vocabulary: dict[str, int] = {}
        df: list[int] = []
        n_docs = 0
        for form in forms:
            n_docs += 1
            for feature in set(analyze(form)):
                k = vocabulary.setdefault(feature, len(vocabulary))
                if k == len(df):
                    df.append(0)
                df[k] += 1
        self.vocabulary_ = vocabulary
        counts = np.asarray(df, dtype=np.float64)
        self.idf_ = (np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0).astype(np.float32)
        # a word pair's feature id under the key (id of first word << 32 | id of second)
        words = {f: k for f, k in vocabulary.items() if " " not in f}
        self.pairs_: dict[int, int] = {}
        for feature, k in vocabulary.items():
            first, _, second = feature.partition(" ")
            if second and first in words and second in words:
                self.pairs_[words[first] << 32 | words[second]] = k
        self._words: dict[str, tuple[int, np.ndarray]] = {}
        return self

    def _word(self, word: str) -> tuple[int, np.ndarray]:
        """The word's own feature id (-1: unknown) and the ids of all its features."""
        known = self._words.get(word)
        if known is None:
            if len(self._words) >= CACHE_LIMIT:
                self._words.clear()
            vocabulary = self.vocabulary_
            found = [vocabulary[g] for g in word_grams(word) if g in vocabulary]
            known = (vocabulary.get(word, -1), np.asarray(found, dtype=np.int32))
            self._words[word] = known
        return known

    def transform(self, forms: Sequence[str]) -> sp.csr_matrix:
        pairs = self.pairs_
        pieces: list[np.ndarray] = []
        indptr = [0]
        for form in forms:
            known = [self._word(w) for w in form.split()]
            ids = [k for k, _ in known]
            pair_ids = [
                pairs[key]
                for key in (a << 32 | b for a, b in itertools.pairwise(ids) if a >= 0 <= b)
                if key in pairs
            ]
            parts = [grams for _, grams in known]
            parts.append(np.asarray(pair_ids, dtype=np.int32))
            row = np.concatenate(parts)
            pieces.append(row)
            indptr.append(indptr[-1] + len(row))
        indices = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int32)
        data = np.ones(len(indices), dtype=np.float32)
        shape = (len(indptr) - 1, len(self.vocabulary_))
        matrix = sp.csr_matrix((data, indices, np.asarray(indptr)), shape=shape)
        matrix.sum_duplicates()
        data = (1.0 + np.log(matrix.data)) * self.idf_[matrix.indices]
        starts = matrix.indptr[:-1]
        filled = starts < matrix.indptr[1:]
        norms = np.ones(shape[0], dtype=np.float32)
        if data.size:
            norms[filled] = np.sqrt(np.add.reduceat(data * data, starts[filled]))
        matrix.data = data / np.repeat(norms, np.diff(matrix.indptr))
        return matrix

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_words"] = {}  # a cache, not the model
        return state
