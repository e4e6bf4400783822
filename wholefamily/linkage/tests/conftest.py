"""A small synthetic county (agency CSVs and truth) shared by the linkage tests, and its first linkage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from wholefamily.linkage.engine.definition import DEFAULT_DEFINITIONS_DIR, LinkageDefinition, load_definition
from wholefamily.linkage.engine.prepare import InputDataset
from wholefamily.linkage.engine.run import RunResult, link_datasets
from wholefamily.synth.generator import Parameters, generate

COUNTY_RESIDENTS = 2_500
COUNTY_SEED = 23


@dataclass(frozen=True)
class County:
    root: Path

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    def datasets(self, *, without: tuple[str, ...] = ()) -> list[InputDataset]:
        return [
            InputDataset(dataset_version_id=f"{path.stem}-v1", kind=path.stem, path=path)
            for path in sorted((self.root / "agency").glob("*.csv"))
            if path.stem not in without
        ]


@pytest.fixture(scope="session")
def linkage_county(tmp_path_factory: pytest.TempPathFactory) -> County:
    root = tmp_path_factory.mktemp("linkage-county")
    generate(
        Parameters(population=COUNTY_RESIDENTS, seed=COUNTY_SEED, start="2013-09-01", years=5),
        root,
        definitions_dir=DEFAULT_DEFINITIONS_DIR,
    )
    return County(root)


@pytest.fixture(scope="session")
def definition() -> LinkageDefinition:
    return load_definition()


@pytest.fixture(scope="session")
def first_run(
    linkage_county: County, definition: LinkageDefinition, tmp_path_factory: pytest.TempPathFactory
) -> RunResult:
    """Linkage of every kind except housing (housing arrives later, as a new delivery)."""
    return link_datasets(
        linkage_county.datasets(without=("housing",)),
        definition=definition,
        out_dir=tmp_path_factory.mktemp("run-1"),
        run_id="run-1",
    )
