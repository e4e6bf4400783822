"""The Splink model built from the linkage definition: comparisons, blocking, training, prediction.

Comparisons are written with Splink's level creators (or plain SQL that DuckDB and Spark both accept), so the
same definition runs on either backend.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator, block_on
from splink.comparison_library import CustomComparison

from wholefamily.linkage.engine.adapt import Adaptation, UnlinkableData
from wholefamily.linkage.engine.definition import BlockingRule, LinkageDefinition

logger = logging.getLogger(__name__)

EM_ATTEMPTS = 3  # intermittent DuckDB internal errors in EM training (splink #3151): retry


def _decisive_else(options: dict[str, Any]) -> Any:
    """The 'all other' level, with its m fixed when the definition says the field is decisive.

    Twins and siblings share surname, address and (twins) date of birth, so EM trained on blocks that admit them
    learns that true matches often differ in forename; fixing m keeps a different forename (or date of birth)
    strong evidence against a match, as it is in truth.
    """
    m_probability = options.get("else_m")
    if m_probability is None:
        return cll.ElseLevel()
    return cll.ElseLevel().configure(m_probability=float(m_probability), fix_m_probability=True)


def relatives_sql(max_year_gap: int) -> str:
    """Two profiles that are likely relatives: one dwelling (UPRN, or a UK unit postcode: a foreign postcode is too
    wide to show a household) and dates of birth less than
    `max_year_gap` years apart, or unknown (siblings and twins; ADR 0016)."""
    return (
        "((uprn_l = uprn_r OR (postcode_sector_l IS NOT NULL AND postcode_l = postcode_r)) "
        f"AND (dob_year_l IS NULL OR dob_year_r IS NULL OR abs(dob_year_l - dob_year_r) < {int(max_year_gap)}))"
    )


def _relatives_level(options: dict[str, Any], definition: LinkageDefinition) -> list[Any]:
    """A different forename between likely relatives: m fixed tiny, so it stays decisive there (twins, siblings)."""
    m_probability = options.get("relatives_m")
    if m_probability is None or definition.relatives_max_year_gap is None:
        return []
    return [
        cll.CustomLevel(
            relatives_sql(definition.relatives_max_year_gap), "Different forename at one dwelling (likely relatives)"
        ).configure(m_probability=float(m_probability), fix_m_probability=True)
    ]


def _forename(options: dict[str, Any], definition: LinkageDefinition) -> CustomComparison:
    high, low = options.get("jaro_winkler", [0.92, 0.8])
    return CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=bool(options.get("term_frequency"))),
            cll.ArrayIntersectLevel("forename_keys", 1).configure(label_for_charts="Same name or a short form of it"),
            cll.CustomLevel("forename_l = surname_r", "Forename is the other's surname (swapped)"),
            cll.JaroWinklerLevel("forename", high),
            cll.JaroWinklerLevel("forename", low),
            *_relatives_level(options, definition),
            _decisive_else(options),
        ],
        comparison_description="Forename with short forms and nicknames",
    )


def _surname(options: dict[str, Any]) -> CustomComparison:
    high, low = options.get("jaro_winkler", [0.92, 0.8])
    return CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=bool(options.get("term_frequency"))),
            cll.CustomLevel("surname_l = forename_r", "Surname is the other's forename (swapped)"),
            cll.ArrayIntersectLevel("surname_parts", 1).configure(label_for_charts="Shares a double-barrelled part"),
            cll.JaroWinklerLevel("surname", high),
            cll.JaroWinklerLevel("surname", low),
            cll.ElseLevel(),
        ],
        comparison_description="Surname with double-barrelled parts",
    )


def _dob(options: dict[str, Any]) -> CustomComparison:
    return CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                "Day and month swapped",
            ),
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.CustomLevel("abs(dob_year_l - dob_year_r) <= 1", "Within a year"),
            _decisive_else(options),
        ],
        comparison_description="Date of birth",
    )


def _sex() -> CustomComparison:
    return CustomComparison(
        output_column_name="sex",
        comparison_levels=[cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()],
        comparison_description="Sex",
    )


def _household(options: dict[str, Any]) -> CustomComparison:
    """Address, postcode and UPRN scored together: family members share them, so they are one piece of evidence."""
    threshold = float(options.get("address_jaro_winkler", 0.9))
    left = "(uprn_l IS NULL AND postcode_l IS NULL AND address_l IS NULL)"
    right = "(uprn_r IS NULL AND postcode_r IS NULL AND address_r IS NULL)"
    return CustomComparison(
        output_column_name="household",
        comparison_levels=[
            {
                "sql_condition": f"{left} OR {right}",
                "label_for_charts": "No address on one side",
                "is_null_level": True,
            },
            cll.CustomLevel("uprn_l = uprn_r", "Same UPRN"),
            cll.CustomLevel("address_l = address_r AND postcode_l = postcode_r", "Same address and postcode"),
            cll.CustomLevel("house_number_l = house_number_r AND postcode_l = postcode_r", "Same number and postcode"),
            cll.And(
                cll.JaroWinklerLevel("address", threshold),
                cll.CustomLevel("postcode_sector_l = postcode_sector_r"),
            ).configure(label_for_charts="Similar address in the postcode sector"),
            cll.CustomLevel("postcode_l = postcode_r", "Same postcode"),
            cll.CustomLevel("postcode_sector_l = postcode_sector_r", "Same postcode sector"),
            cll.CustomLevel("postcode_district_l = postcode_district_r", "Same postcode district"),
            cll.ElseLevel(),
        ],
        comparison_description="Household: UPRN, address and postcode together",
    )


def _household_mates(options: dict[str, Any]) -> list[Any]:
    """Same dwelling but a different forename: another member of the household, so the address is no evidence.

    Weight fixed at zero (m = u): without it, a shared address and surname outweigh a different forename.
    """
    if not options.get("neutral_when_forename_differs"):
        return []
    forename_agrees = cll.Or(
        cll.ExactMatchLevel("forename"),
        cll.JaroWinklerLevel("forename", 0.8),
        cll.ArrayIntersectLevel("forename_keys", 1),
    )
    same_dwelling = cll.Or(cll.CustomLevel("uprn_l = uprn_r"), cll.CustomLevel("postcode_l = postcode_r"))
    return [
        cll.And(same_dwelling, cll.Not(forename_agrees)).configure(
            label_for_charts="Same address, different forename (another household member)",
            m_probability=0.05,
            u_probability=0.05,
            fix_m_probability=True,
            fix_u_probability=True,
        )
    ]


def _identifiers(options: dict[str, Any]) -> CustomComparison:
    columns = list(options.get("columns", []))
    both = " OR ".join(f"({c}_l IS NOT NULL AND {c}_r IS NOT NULL)" for c in columns)
    same = " OR ".join(f"{c}_l = {c}_r" for c in columns)
    return CustomComparison(
        output_column_name="identifiers",
        comparison_levels=[
            {"sql_condition": f"NOT ({both})", "label_for_charts": "No identifier on both", "is_null_level": True},
            cll.CustomLevel(same, "Same agency identifier (NHS, NI, pupil, social care or police)"),
            _decisive_else(options),
        ],
        comparison_description="Each agency's own identifier, where both records carry one",
    )


def _blocking(rule: BlockingRule) -> Any:
    return block_on(*rule.columns) if rule.columns else rule.sql


def _stated(levels: list[Any], m: Sequence[float] | None) -> list[Any]:
    """Levels (after the null level) with their stated m probabilities, the prior kept where EM cannot estimate."""
    if not m:
        return levels
    if len(m) != len(levels) - 1:
        raise ValueError(f"a comparison states {len(m)} m probabilities for {len(levels) - 1} levels")
    return [
        levels[0],
        *(level.configure(m_probability=float(value)) for level, value in zip(levels[1:], m, strict=True)),
    ]


def _person_comparison(name: str, options: dict[str, Any], definition: LinkageDefinition) -> CustomComparison:
    """One comparison of the general person model (Splink's standard levels for the column's type)."""
    kind = options.get("type", "exact")
    m = options.get("m")
    relatives: list[Any] = []
    if kind == "name":
        high, low = options.get("jaro_winkler", [0.92, 0.8])
        keys, swapped = options.get("keys"), options.get("swapped_with")
        optional = [
            cll.NullLevel(name),
            cll.ExactMatchLevel(name, term_frequency_adjustments=bool(options.get("term_frequency"))),
            cll.ArrayIntersectLevel(keys, 1).configure(label_for_charts="Same name or a short form of it")
            if keys
            else None,
            cll.CustomLevel(f"{name}_l = {swapped}_r", "Swapped with the other name") if swapped else None,
            cll.JaroWinklerLevel(name, high),
            cll.JaroWinklerLevel(name, low),
            cll.ElseLevel(),
        ]
        if m:  # a level left out takes its stated m with it
            m = [value for value, level in zip(m, optional[1:], strict=True) if level is not None]
        levels = [level for level in optional if level is not None]
        relatives = _relatives_level(options, definition)
        description = f"{name.capitalize()}: exact, short forms, swapped, similar"
    elif kind == "date_of_birth":
        levels = [
            cll.NullLevel(name),
            cll.ExactMatchLevel(name),
            cll.CustomLevel(
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                "Day and month swapped",
            ),
            cll.DamerauLevenshteinLevel(name, 1),
            cll.CustomLevel("abs(dob_year_l - dob_year_r) <= 1", "Within a year"),
            cll.ElseLevel(),
        ]
        description = "Date of birth"
    elif kind == "postcode":
        levels = [
            cll.NullLevel(name),
            cll.ExactMatchLevel(name),
            cll.CustomLevel("postcode_sector_l = postcode_sector_r", "Same UK postcode sector"),
            cll.CustomLevel("postcode_district_l = postcode_district_r", "Same UK postcode district"),
            cll.DamerauLevenshteinLevel(name, 1).configure(label_for_charts="One character different (any postcode)"),
            cll.ElseLevel(),
        ]
        description = "Postcode: UK postcodes by unit, sector and district; others as text"
    elif kind == "text":
        high, low = options.get("jaro_winkler", [0.9, 0.7])
        levels = [
            cll.NullLevel(name),
            cll.ExactMatchLevel(name),
            cll.JaroWinklerLevel(name, high),
            cll.JaroWinklerLevel(name, low),
            cll.ElseLevel(),
        ]
        description = f"{name.capitalize()} as text"
    elif kind == "identifier":
        levels = [cll.NullLevel(name), cll.ExactMatchLevel(name), cll.DamerauLevenshteinLevel(name, 1), cll.ElseLevel()]
        description = f"{name}: exact or one character different"
    elif kind == "email":
        levels = [
            cll.NullLevel(name),
            cll.ExactMatchLevel(name),
            cll.CustomLevel(
                f"split_part({name}_l, '@', 1) = split_part({name}_r, '@', 1)", "Same user name, another domain"
            ),
            cll.JaroWinklerLevel(name, 0.88),
            cll.ElseLevel(),
        ]
        description = "Email"
    else:
        levels = [cll.NullLevel(name), cll.ExactMatchLevel(name), cll.ElseLevel()]
        description = f"{name}: exact"
    levels = _stated(levels, m)
    if options.get("exact_u") is not None:
        # a national identifier is one person's by design: the chance that two people share it is stated (keying
        # errors), not sampled, because random pairs of a small file include its true matches
        levels[1] = levels[1].configure(u_probability=float(options["exact_u"]), fix_u_probability=True)
    if relatives:
        levels = [*levels[:-1], *relatives, levels[-1]]
    return CustomComparison(
        output_column_name=name, comparison_levels=list[Any](levels), comparison_description=description
    )


def splink_settings(definition: LinkageDefinition, adaptation: Adaptation | None = None) -> SettingsCreator:
    """Splink's settings for `definition`, without the rules and comparisons `adaptation` left out."""
    options = definition.comparisons
    comparisons: list[Any]
    if definition.family == "person":
        names = adaptation.comparisons if adaptation is not None else tuple(options)
        comparisons = [_person_comparison(name, dict(options[name]), definition) for name in names]
    else:
        comparisons = [
            _forename(options.get("forename", {}), definition),
            _surname(options.get("surname", {})),
            _dob(options.get("dob", {})),
            _sex(),
            _household(options.get("household", {})),
            _identifiers(options.get("identifiers", {})),
        ]
    if not comparisons:
        raise UnlinkableData("These records cannot be linked: they hold nothing the model compares.")
    rules = adaptation.blocking_rules if adaptation is not None else definition.blocking_rules
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        probability_two_random_records_match=definition.training.prior_when_unknown,
        blocking_rules_to_generate_predictions=[_blocking(rule) for rule in rules],
        additional_columns_to_retain=["kind"],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=definition.training.em_max_iterations,
    )


def _with_retries(step: Callable[[], Any], *, what: str) -> Any:
    for attempt in range(1, EM_ATTEMPTS + 1):
        try:
            return step()
        except Exception as error:  # Splink surfaces DuckDB internal errors as several types
            if attempt == EM_ATTEMPTS or "INTERNAL" not in str(error).upper():
                raise
            logger.warning("%s failed (attempt %d, %s); retrying", what, attempt, error)
            time.sleep(0.2)
    raise AssertionError("unreachable")


def train(
    linker: Linker,
    definition: LinkageDefinition,
    *,
    progress: Callable[[str], None] | None = None,
    labels: Sequence[tuple[str, str]] = (),
    adaptation: Adaptation | None = None,
) -> list[str]:
    """Prior from deterministic rules, u by seeded random sampling, m by EM on each training rule, then m from
    reviewers' "same person" pairs when there are at least `training.min_labels_for_m` of them.

    Only the rules `adaptation` kept are used. Returns the report's lines on training: the EM training rules skipped, a
    prior stated rather than estimated, and the comparisons whose m EM could not estimate (their stated m kept).
    Raises UnlinkableData (one plain sentence) when u cannot be estimated at all."""
    from splink.internals.exceptions import SplinkException

    lines: list[str] = []
    training = definition.training
    note = progress or (lambda _message: None)
    prior_rules = adaptation.prior_rules if adaptation is not None else training.prior_rules
    em_rules = adaptation.em_rules if adaptation is not None else training.em_blocking_rules
    note("Estimating the prior")
    try:
        if not prior_rules:
            raise ValueError("no prior rule can be evaluated on this data")
        linker.training.estimate_probability_two_random_records_match(list(prior_rules), recall=training.prior_recall)
    except (SplinkException, ValueError, ZeroDivisionError) as error:
        logger.warning("prior not estimated: %s", error)
        linker._settings_obj._probability_two_random_records_match = training.prior_when_unknown
        lines.append(
            f"The share of pairs that match could not be estimated from this data; the stated prior "
            f"{training.prior_when_unknown:g} was used."
        )
    note("Estimating u by random sampling")
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=training.u_max_pairs, seed=training.seed)
    except (SplinkException, ValueError) as error:
        raise UnlinkableData(
            f"These records cannot be linked: Splink could not sample pairs of them to learn how often values agree "
            f"by chance ({error})."
        ) from None
    for columns in em_rules:
        note(f"Estimating m by EM on {', '.join(columns)}")
        rule = block_on(*columns)

        def estimate(rule: Any = rule) -> Any:
            return linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=training.em_max_pairs
            )

        try:
            _with_retries(estimate, what=f"EM on {columns}")
        except (SplinkException, ValueError) as error:
            # On small inputs EM can drive a level's m to exactly 0, which Splink 5 refuses, or a rule may give no
            # pairs: the other training rules (and the stated and fixed levels) still estimate the model
            logger.warning("EM on %s skipped: %s", columns, error)
            lines.append(f"Training rule on {', '.join(columns)} skipped: {_plain(error)}")
    if labels and len(labels) >= definition.training.min_labels_for_m:
        note(f"Estimating m from {len(labels):,} reviewed pairs")
        table = pa.table(
            {
                "source_dataset_l": ["profiles"] * len(labels),
                "unique_id_l": [left for left, _ in labels],
                "source_dataset_r": ["profiles"] * len(labels),
                "unique_id_r": [right for _, right in labels],
            }
        )
        linker.table_management.register_table(table, "wholefamily_review_labels", overwrite=True)
        linker.training.estimate_m_from_pairwise_labels("wholefamily_review_labels")  # type: ignore[no-untyped-call]
    untrained = [
        comparison.output_column_name
        for comparison in linker._settings_obj.comparisons
        if not any(level._trained_m_probabilities for level in comparison.comparison_levels if not level.is_null_level)
    ]
    if untrained:
        lines.append(
            f"EM could not estimate m for {', '.join(untrained)} on this data: "
            f"{'its' if len(untrained) == 1 else 'their'} stated prior m was kept."
        )
    return lines


def _plain(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "resulted in no record pairs" in text:
        return "no record pairs agree on it."
    if "below the minimum allowed value" in text:
        return "EM drove a level's m to zero on this data."
    return text


def predict(linker: Any, definition: LinkageDefinition, profiles: int) -> Any:
    """Splink's scored pairs at or above the review threshold, in the definition's chunks (the pipeline and the
    Splink-alone benchmark both call this, so that they run Splink the same way)."""
    chunks = definition.prediction_chunks(profiles)
    return linker.inference.predict(
        threshold_match_probability=definition.review_threshold, num_chunks_left=chunks, num_chunks_right=chunks
    )
