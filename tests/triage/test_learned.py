"""The learned classifier: training, saving, loading, refusing a model it cannot trust."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aduan.core.text import matching_form
from aduan.triage import active
from aduan.triage.learned import (
    META_FILE,
    MODEL_FILE,
    Example,
    ModelError,
    load,
    read_metadata,
    rule_examples,
    save,
    train,
)

DEV = Path(__file__).parent / "data" / "triage_dev.jsonl"


def dev_examples() -> list[Example]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    return [Example(r["text"], r["category"]) for r in rows]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("model")
    model = train(dev_examples(), prior=rule_examples(active().rules), cv_folds=3)
    save(model, directory)
    return directory


def test_trained_model_routes_new_complaints(saved: Path) -> None:
    model = load(saved)
    lamp = model.predict_text("lampu jalan di gang kami mati sudah seminggu, gelap sekali")
    assert lamp.category == "street_lighting"
    assert 0.0 < lamp.probability <= 1.0
    many = model.predict(["sampah menumpuk di tps tidak diangkut", "ktp saya belum jadi"])
    assert [p.category for p in many] == ["waste", "civil_registry"]
    assert model.predict([]) == []


def test_metadata_says_what_the_model_is(saved: Path) -> None:
    meta = read_metadata(saved)
    assert meta.rows == 240
    assert meta.prior_rows > 100
    assert meta.cv_folds == 3
    assert meta.cv_accuracy is not None and 0.7 <= meta.cv_accuracy <= 1.0
    assert meta.categories["other"] == 30
    assert meta.trained_at.startswith("20")
    stored = json.loads((saved / META_FILE).read_text(encoding="utf-8"))
    assert stored["sklearn"] and stored["numpy"] and len(stored["sha256"]) == 64


def test_agency_comes_from_the_labels(tmp_path: Path) -> None:
    examples = [Example(e.text, e.category, "dinas-x") for e in dev_examples()]
    model = train(examples, cv_folds=0)
    assert model.metadata.cv_accuracy is None
    assert model.predict_text("pju mati").agency == "dinas-x"


def _tamper(directory: Path, **changes: object) -> None:
    path = directory / META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sklearn": "0.24.2"}, "saved with scikit-learn 0.24.2"),
        ({"format": 99}, "model format 99"),
        ({"sha256": "0" * 64}, "checksum"),
    ],
)
def test_an_incompatible_or_altered_model_is_refused(
    saved: Path, tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    for name in (MODEL_FILE, META_FILE):
        (tmp_path / name).write_bytes((saved / name).read_bytes())
    _tamper(tmp_path, **changes)
    with pytest.raises(ModelError, match=message) as error:
        load(tmp_path)
    assert "retrain" in str(error.value)


def test_no_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="aduan triage train"):
        load(tmp_path)
    (tmp_path / META_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="unreadable"):
        load(tmp_path)


def test_training_needs_two_labels_per_category() -> None:
    with pytest.raises(ModelError, match="one only"):
        train([Example("a", "roads"), Example("b", "roads"), Example("c", "waste")], cv_folds=0)
    with pytest.raises(ModelError, match="two categories"):
        train([Example("a", "roads"), Example("b", "roads")], cv_folds=0)


def test_corrected_labels_win_the_next_training() -> None:
    """A clerk's corrections of one kind of complaint show up in the next model: here the
    city sends late-night coffee stalls to its permits desk (land_building), whatever
    their parking."""
    kind = "warung kopi di gang {n} buka sampai subuh, parkiran motor meluber ke jalan kampung"
    base = dev_examples()
    before = train(base, cv_folds=0).predict_text(kind.format(n="mawar"))
    assert before.category != "land_building"
    corrected = [Example(kind.format(n=n), "land_building") for n in range(30)]
    after = train(base + corrected, cv_folds=0).predict_text(kind.format(n="mawar"))
    assert after.category == "land_building"


def test_the_fast_path_computes_what_scikit_learn_does(saved: Path) -> None:
    model = load(saved)
    assert model.linear is not None
    forms = [matching_form(e.text) for e in dev_examples()[:60]] + ["", "kata asing sekali"]
    fast = model.probabilities(forms)
    slow = model.pipeline.predict_proba(forms)
    assert np.abs(fast - slow).max() < 1e-5
    assert np.allclose(fast.sum(axis=1), 1.0)
