"""On the synthetic county with perfect linkage, identification agrees with the generator's truth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from wholefamily.domain.criteria.schema import load_programme
from wholefamily.identification.engine.evaluate import evaluate
from wholefamily.identification.engine.snapshot import Snapshot
from wholefamily.identification.engine.truth import compare_with_truth

DATES = [dt.date(2015, 8, 31), dt.date(2016, 8, 31), dt.date(2017, 8, 31)]


@pytest.mark.parametrize("programme", ["tf-2015", "tf-2012"])
def test_agreement_with_truth_at_least_99_percent(programme, small_county, perfect_snapshot, contract_set):
    definition = load_programme(Path(settings.PROGRAMMES_DIR) / f"{programme}.yaml")
    snapshot = Snapshot.open(perfect_snapshot)
    reports = []
    for as_of in DATES:
        evaluation = evaluate(definition, as_of=as_of, snapshot=snapshot, contracts=contract_set)
        agreement = compare_with_truth(evaluation, small_county / "truth")
        reports.append(agreement)
        print(agreement.report())
    for agreement in reports:
        assert agreement.families > 100
        assert agreement.share >= 0.99, agreement.report()


def test_every_qualifying_family_has_evidence_for_each_problem(perfect_snapshot, contract_set):
    definition = load_programme(Path(settings.PROGRAMMES_DIR) / "tf-2015.yaml")
    evaluation = evaluate(definition, as_of=DATES[0], snapshot=Snapshot.open(perfect_snapshot), contracts=contract_set)
    assert evaluation.cohort.num_rows > 0
    evidence = {(row["family_id"], row["problem"]) for row in evaluation.evidence.to_pylist()}
    for row in evaluation.cohort.to_pylist():
        for problem in row["problems_met"].split(";"):
            assert (row["family_id"], problem) in evidence
    assert all(row["line_number"] >= 2 for row in evaluation.evidence.to_pylist())


@pytest.mark.slow
def test_agreement_on_a_linkage_snapshot_with_disagreements_explained(
    small_county, perfect_snapshot, contract_set, tmp_path
):
    """Identification over Splink's linked snapshot (ADR 0004) of the same county: at least 99% of true families
    agree, and the printed report gives the linkage errors around every disagreement."""
    from wholefamily.identification.engine.truth import compare_linked_with_truth
    from wholefamily.linkage.engine.definition import load_definition
    from wholefamily.linkage.engine.prepare import InputDataset
    from wholefamily.linkage.engine.run import link_datasets

    datasets = [
        InputDataset(dataset_version_id=f"synth-{path.stem}", kind=path.stem, path=path)
        for path in sorted((small_county / "agency").glob("*.csv"))
    ]
    linked = tmp_path / "linked"
    link_datasets(datasets, definition=load_definition(), out_dir=linked, run_id="identification-test")
    snapshot = Snapshot.open(
        linked, datasets_root=perfect_snapshot / "datasets", geography=perfect_snapshot / "geography.parquet"
    )
    for programme in ("tf-2015", "tf-2012"):
        definition = load_programme(Path(settings.PROGRAMMES_DIR) / f"{programme}.yaml")
        evaluation = evaluate(definition, as_of=DATES[0], snapshot=snapshot, contracts=contract_set)
        assert all(row["district"] for row in evaluation.families.to_pylist())  # from the postcode lookup
        agreement = compare_linked_with_truth(evaluation, linked, small_county / "truth")
        print(agreement.report())
        assert agreement.share >= 0.99, agreement.report()
        assert all(item.engine_indicators for item in agreement.disagreements)
