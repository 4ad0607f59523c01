"""The learned classifier: a category (and agency) from a complaint's words, with a probability.

Features are the complaint's matching form (:func:`aduan.normalize.text.matching_form`,
the same text the rules read) as TF-IDF words, word pairs and character
3-5-grams inside words (:mod:`aduan.triage.features`); the model is a linear
SVM whose scores are calibrated into probabilities by cross-validation
(sigmoid), so "0.83" means roughly "right 83 times in 100" on complaints like
the training ones. Everything is local: nothing is downloaded, at training or
at run time.

* :func:`train` — a :class:`Model` from labelled rows (text, category[, agency]),
  with its cross-validated accuracy;
* :meth:`Model.predict` — one :class:`Prediction` per matching form, in batches;
* :func:`save` / :func:`load` — the model file in a directory (the data
  directory's ``triage-model/``): ``model.joblib`` plus ``model.json`` with
  the training date, size, accuracy and library versions. :func:`load`
  refuses a file written by another format or scikit-learn version, and one
  whose checksum does not match its metadata, with a :class:`ModelError`
  saying what to do. (A joblib file is a pickle: load only files aduan wrote.)
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from aduan.core.errors import AduanError
from aduan.core.text import matching_form
from aduan.triage.features import WordGrams
from aduan.triage.rules import RuleSet

FORMAT = 1  # bump when the pipeline or the metadata change shape
MODEL_FILE = "model.joblib"
META_FILE = "model.json"


class ModelError(AduanError):
    """No usable model file: missing, damaged, or from an incompatible version."""


@dataclass(frozen=True)
class Example:
    """One training label: the complaint's text (as written), its category, its agency if known."""

    text: str
    category: str
    agency: str | None = None


@dataclass(frozen=True)
class Prediction:
    category: str
    probability: float
    agency: str | None = None


@dataclass(frozen=True)
class Metadata:
    format: int
    trained_at: str
    rows: int  # labels
    prior_rows: int  # rule terms (or other prior examples)
    categories: dict[str, int]
    cv_folds: int
    cv_accuracy: float | None
    sklearn: str
    numpy: str
    python: str
    sha256: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Metadata:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["sources"] = tuple(known.get("sources", ()))
        return cls(**known)


def _pipeline(min_rows_per_class: int) -> Pipeline:
    calibration_folds = max(2, min(3, min_rows_per_class))
    classifier = CalibratedClassifierCV(
        LinearSVC(C=1.0), cv=calibration_folds, method="sigmoid", ensemble=False
    )
    return Pipeline([("features", WordGrams()), ("classifier", classifier)])


class Model:
    """A fitted pipeline, the agency most labels gave each category, and the metadata."""

    def __init__(self, pipeline: Pipeline, agencies: dict[str, str], metadata: Metadata) -> None:
        self.pipeline = pipeline
        self.agencies = agencies
        self.metadata = metadata
        self.classes: list[str] = [str(c) for c in pipeline.classes_]
        self.linear = _Linear.of(pipeline)

    def probabilities(self, forms: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per form, columns as :attr:`classes`."""
        if self.linear is not None:
            return self.linear.probabilities(forms)
        return np.asarray(self.pipeline.predict_proba(list(forms)))

    def predict(self, forms: Sequence[str]) -> list[Prediction]:
        """One prediction per matching form."""
        if not forms:
            return []
        probabilities = self.probabilities(forms)
        best = probabilities.argmax(axis=1)
        out = []
        for row, k in enumerate(best):
            category = self.classes[int(k)]
            out.append(
                Prediction(
                    category, round(float(probabilities[row, k]), 4), self.agencies.get(category)
                )
            )
        return out

    def predict_text(self, text: str) -> Prediction:
        """One complaint as written (its matching form is taken here)."""
        return self.predict([matching_form(text)])[0]


class _Linear:
    """The fitted pipeline's arithmetic without scikit-learn's per-call checks (about 1.7 ms
    a call, most of the cost for one complaint): features, ``X @ W.T + b``, one sigmoid per
    class, rows scaled to sum 1 -- what ``CalibratedClassifierCV(ensemble=False,
    method="sigmoid")`` computes for three classes or more (the tests compare the two)."""

    def __init__(self, features: WordGrams, weights: np.ndarray, intercept: np.ndarray,
                 a: np.ndarray, b: np.ndarray) -> None:  # fmt: skip
        self.features = features
        self.weights = weights  # (n_features, n_classes)
        self.intercept = intercept
        self.a, self.b = a, b

    @classmethod
    def of(cls, pipeline: Pipeline) -> _Linear | None:
        features = pipeline.named_steps.get("features")
        calibrated = pipeline.named_steps.get("classifier")
        members = getattr(calibrated, "calibrated_classifiers_", [])
        if not isinstance(features, WordGrams) or len(members) != 1:
            return None
        member = members[0]
        svm = member.estimator
        n_classes = len(member.classes)
        if member.method != "sigmoid" or n_classes < 3 or len(svm.classes_) != n_classes:
            return None
        a = np.array([c.a_ for c in member.calibrators], dtype=np.float64)
        b = np.array([c.b_ for c in member.calibrators], dtype=np.float64)
        weights = np.ascontiguousarray(svm.coef_.T, dtype=np.float32)
        return cls(features, weights, np.asarray(svm.intercept_, dtype=np.float64), a, b)

    def probabilities(self, forms: Sequence[str]) -> np.ndarray:
        scores = np.asarray(self.features.transform(forms) @ self.weights, dtype=np.float64)
        scores += self.intercept
        proba = 1.0 / (1.0 + np.exp(self.a * scores + self.b))
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        out: np.ndarray = np.divide(proba, total, out=uniform, where=total != 0)
        return out


def rule_examples(ruleset: RuleSet) -> list[Example]:
    """Each plain term of the rules (positive weight) as a one-phrase example of its category.

    The rules hold the public-service vocabulary of every category; as examples
    they teach the model words that no label has shown it yet, and the labels
    then teach it how the city's citizens write. (Patterns are left out.)
    """
    return [
        Example(term.key, code)
        for code, category in ruleset.categories.items()
        for term in category.terms
        if term.key is not None and term.weight > 0
    ]


def _check_examples(examples: Sequence[Example]) -> Counter[str]:
    counts = Counter(e.category for e in examples)
    if len(counts) < 2:
        raise ModelError(f"training needs at least two categories, got {sorted(counts)}")
    thin = sorted(c for c, n in counts.items() if n < 2)
    if thin:
        raise ModelError(f"training needs two labels or more per category; one only: {thin}")
    return counts


def fit(examples: Sequence[Example]) -> Pipeline:
    """The pipeline fitted on ``examples`` (no cross-validation, no metadata)."""
    counts = _check_examples(examples)
    pipeline = _pipeline(min(counts.values()))
    pipeline.fit([matching_form(e.text) for e in examples], [e.category for e in examples])
    return pipeline


def cross_validate(
    examples: Sequence[Example], folds: int, *, prior: Sequence[Example] = (), seed: int = 0
) -> float:
    """Accuracy of :func:`fit` on ``examples`` split in ``folds`` (stratified when every
    category has that many); ``prior`` examples join every training fold, never a test."""
    if len(examples) < folds or folds < 2:
        raise ModelError(f"cross-validation needs {max(folds, 2)} labels or more")
    forms = [matching_form(e.text) for e in examples]
    labels = np.array([e.category for e in examples])
    counts = Counter(e.category for e in examples)
    splitter: StratifiedKFold | KFold
    if min(counts.values()) >= folds:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    right = 0
    for train_idx, test_idx in splitter.split(forms, labels):
        pipeline = fit([examples[i] for i in train_idx] + list(prior))
        right += int((pipeline.predict([forms[i] for i in test_idx]) == labels[test_idx]).sum())
    return right / len(examples)


def train(
    examples: Sequence[Example],
    *,
    prior: Sequence[Example] = (),
    cv_folds: int = 5,
    sources: Sequence[str] = (),
    now: datetime | None = None,
) -> Model:
    """Fit on the labels ``examples`` and the ``prior`` ones (e.g. :func:`rule_examples`);
    ``cv_folds`` >= 2 also measures the labels' cross-validated accuracy."""
    counts = Counter(e.category for e in examples)
    accuracy = None
    folds = min(cv_folds, len(examples)) if cv_folds >= 2 else 0
    if folds >= 2:
        accuracy = round(cross_validate(examples, folds, prior=prior), 4)
    pipeline = fit([*examples, *prior])
    agencies: dict[str, str] = {}
    by_category: dict[str, Counter[str]] = {}
    for e in examples:
        if e.agency:
            by_category.setdefault(e.category, Counter())[e.agency] += 1
    for category, votes in by_category.items():
        agencies[category] = votes.most_common(1)[0][0]
    metadata = Metadata(
        format=FORMAT,
        trained_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        rows=len(examples),
        prior_rows=len(prior),
        categories=dict(sorted(counts.items())),
        cv_folds=folds,
        cv_accuracy=accuracy,
        sklearn=sklearn.__version__,
        numpy=np.__version__,
        python=platform.python_version(),
        sources=tuple(sources),
    )
    return Model(pipeline, agencies, metadata)


def save(model: Model, directory: Path) -> Path:
    """Write ``model.joblib`` and ``model.json`` into ``directory``; the joblib path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / MODEL_FILE
    partial = directory / (MODEL_FILE + ".tmp")
    joblib.dump({"pipeline": model.pipeline, "agencies": model.agencies}, partial)
    digest = hashlib.sha256(partial.read_bytes()).hexdigest()
    meta = Metadata(**{**asdict(model.metadata), "sha256": digest})
    meta_partial = directory / (META_FILE + ".tmp")
    meta_partial.write_text(json.dumps(asdict(meta), indent=2) + "\n", encoding="utf-8")
    partial.replace(target)
    meta_partial.replace(directory / META_FILE)
    model.metadata = meta
    return target


def read_metadata(directory: Path) -> Metadata:
    """The metadata of the model in ``directory`` (ModelError if missing or unreadable)."""
    path = directory / META_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Metadata.from_json(data)
    except FileNotFoundError:
        raise ModelError(f"no triage model in {directory}: run `aduan triage train`") from None
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"{path}: unreadable model metadata ({exc})") from None


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def load(directory: Path) -> Model:
    """The model saved in ``directory``; ModelError if it is missing, damaged or incompatible."""
    meta = read_metadata(directory)
    if meta.format != FORMAT:
        raise ModelError(
            f"{directory / MODEL_FILE}: model format {meta.format}, this aduan reads format "
            f"{FORMAT}: retrain with `aduan triage train`"
        )
    if _minor(meta.sklearn) != _minor(sklearn.__version__):
        raise ModelError(
            f"{directory / MODEL_FILE}: saved with scikit-learn {meta.sklearn}, this aduan runs "
            f"scikit-learn {sklearn.__version__}: retrain with `aduan triage train`"
        )
    path = directory / MODEL_FILE
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: {exc.strerror}") from None
    if hashlib.sha256(blob).hexdigest() != meta.sha256:
        raise ModelError(f"{path}: does not match its {META_FILE} (checksum): retrain")
    saved = joblib.load(io.BytesIO(blob))
    return Model(saved["pipeline"], dict(saved["agencies"]), meta)
