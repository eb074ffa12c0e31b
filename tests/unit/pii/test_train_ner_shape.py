"""The person model's network size as ``benchmarks/train_ner.py`` writes it into spaCy's config."""

from pathlib import Path

from thinc.api import Config

from benchmarks.train_ner import Shape, write_config
from pipelines.pii.persons_model import MODEL_DIR


def _sizes(config: Config) -> tuple[int, int, list[int], int]:
    tok2vec = config["components"]["tok2vec"]["model"]
    return (
        tok2vec["encode"]["width"],
        tok2vec["encode"]["depth"],
        list(tok2vec["embed"]["rows"]),
        config["components"]["ner"]["model"]["hidden_width"],
    )


def test_the_default_shape_is_the_committed_models(tmp_path: Path) -> None:
    write_config(tmp_path / "config.cfg", seed=0, max_steps=10, eval_frequency=5)
    written = Config().from_disk(tmp_path / "config.cfg", interpolate=False)
    committed = Config().from_disk(MODEL_DIR / "config.cfg", interpolate=False)
    assert _sizes(written) == _sizes(committed)


def test_a_bigger_shape_reaches_the_config(tmp_path: Path) -> None:
    shape = Shape(width=256, depth=8, rows=2.0, hidden=128)
    write_config(tmp_path / "config.cfg", seed=0, max_steps=10, eval_frequency=5, shape=shape)
    written = Config().from_disk(tmp_path / "config.cfg", interpolate=False)
    assert _sizes(written) == (256, 8, [10000, 2000, 5000, 5000], 128)
