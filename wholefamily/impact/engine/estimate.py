"""Matched comparison and difference in differences (ADR 0023), with scikit-learn and statsmodels.

1. Propensity score: a logistic regression (scikit-learn) of being worked with on the pre-start features and the
   district, fitted on the worked-with families and the comparison pool (families that met the criteria and were not
   worked with).
2. Matching: each worked-with family to the NEIGHBOURS comparison families nearest on the logit of the score (each
   weighing 1/NEIGHBOURS), with replacement, within a caliper of 0.2 standard deviations of the logit; a worked-with
   family with none that close is left out (and counted). Balance: standardised differences of each feature before
   (whole pool) and after (matched) matching.
3. Difference in differences per outcome: each family's mean over the terms after (1..3) less its mean over the
   terms before (-3..-1), regressed (statsmodels OLS) on being worked with over the matched pairs (a comparison
   family once per pairing), standard errors clustered by family; the coefficient is the effect on the worked-with
   families, with its 95% confidence interval. The same on the terms before only (-1 less -3) tests the parallel
   trends the estimate assumes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wholefamily.impact.engine.panel import Panel, feature_names

CALIPER_SD = 0.2
NEIGHBOURS = 3


@dataclass(frozen=True)
class Balance:
    feature: str
    treated_mean: float
    pool_mean: float
    matched_mean: float
    before: float  # standardised difference, worked-with against the whole pool
    after: float  # against the matched comparison families


@dataclass(frozen=True)
class Effect:
    outcome: str
    label: str
    estimate: float
    low: float
    high: float
    p_value: float
    treated_before: float
    treated_after: float
    comparison_before: float
    comparison_after: float
    pre_trend: float
    pre_trend_low: float
    pre_trend_high: float


@dataclass
class ImpactResult:
    worked_with: int
    pool: int
    matched: int
    unmatched: int
    comparison_used: int
    balance: list[Balance]
    effects: list[Effect]
    trends: dict[str, list[tuple[int, float, float]]]  # outcome -> (term, worked-with mean, comparison mean)
    matched_pairs: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _standardised(treated: np.ndarray, other: np.ndarray, weights: np.ndarray | None = None) -> float:
    mean_t = float(np.mean(treated)) if len(treated) else 0.0
    mean_o = float(np.average(other, weights=weights)) if len(other) else 0.0
    var_t = float(np.var(treated, ddof=1)) if len(treated) > 1 else 0.0
    var_o = float(np.var(other, ddof=1)) if len(other) > 1 else 0.0
    scale = np.sqrt((var_t + var_o) / 2)
    return 0.0 if scale == 0 else (mean_t - mean_o) / float(scale)


def _interval(fit: Any) -> tuple[float, float]:
    """The 95% confidence interval of the worked-with coefficient; the estimate itself when it has no variance."""
    low, high = fit.conf_int(0.05)[1]
    if not (np.isfinite(low) and np.isfinite(high)):
        return float(fit.params[1]), float(fit.params[1])
    return float(low), float(high)


def _design(families: Any, features: list[str]) -> Any:
    import pandas as pd

    numeric = families[features].astype(float)
    districts = pd.get_dummies(families["district"], prefix="district", drop_first=True, dtype=float)
    return pd.concat([numeric, districts], axis=1)


def estimate(panel: Panel, *, seed: int = 0, neighbours: int = NEIGHBOURS) -> ImpactResult:
    """Match, check balance and estimate each outcome's difference in differences."""
    import time

    import pandas as pd
    import statsmodels.api as sm
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import NearestNeighbors
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    began = time.perf_counter()
    families = panel.families.reset_index(drop=True)
    features = feature_names(panel.outcomes)
    treated_mask = families["is_worked_with"].to_numpy(dtype=bool)
    if treated_mask.sum() < 2 or (~treated_mask).sum() < 2:
        raise ValueError("the analysis needs at least two worked-with and two comparison families")
    x = _design(families, features).to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    model.fit(x, treated_mask)
    score = np.clip(model.predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)
    logit = np.log(score / (1 - score))
    caliper = CALIPER_SD * float(np.std(logit))
    treated_index = np.flatnonzero(treated_mask)
    pool_index = np.flatnonzero(~treated_mask)
    count = max(1, min(neighbours, len(pool_index)))
    finder = NearestNeighbors(n_neighbors=count).fit(logit[pool_index, None])
    distance, nearest = finder.kneighbors(logit[treated_index, None])
    within = distance <= max(caliper, 1e-9)
    has_match = within.any(axis=1)
    matched_treated = treated_index[has_match]
    pair_treated = np.repeat(treated_index, count)[within.ravel()]
    matched_control = pool_index[nearest.ravel()[within.ravel()]]
    pair_weight = (1.0 / within.sum(axis=1).clip(min=1)).repeat(count)[within.ravel()]
    ids = families["household_id"].to_numpy()
    weights = np.bincount(matched_control, weights=pair_weight, minlength=len(families))[pool_index]

    balance = []
    for feature in features:
        values = families[feature].to_numpy(dtype=float)
        balance.append(
            Balance(
                feature=feature,
                treated_mean=float(values[matched_treated].mean()) if len(matched_treated) else 0.0,
                pool_mean=float(values[pool_index].mean()),
                matched_mean=float(np.average(values[pool_index], weights=weights)) if weights.sum() else 0.0,
                before=_standardised(values[treated_index], values[pool_index]),
                after=_standardised(values[matched_treated], values[pool_index], weights) if weights.sum() else 0.0,
            )
        )

    terms = panel.terms
    codes = [outcome.code for outcome in panel.outcomes.outcomes]
    before = terms[terms["k"] < 0].groupby("household_id")[codes].mean()
    after = terms[terms["k"] > 0].groupby("household_id")[codes].mean()
    first = terms[terms["k"] == -panel.outcomes.terms_before].set_index("household_id")[codes]
    last = terms[terms["k"] == -1].set_index("household_id")[codes]
    by_term = terms.set_index(["household_id", "k"])[codes]
    rows = pd.DataFrame(
        {
            "household_id": np.concatenate([ids[matched_treated], ids[matched_control]]),
            "treated": np.concatenate([np.ones(len(matched_treated)), np.zeros(len(matched_control))]),
            "weight": np.concatenate([np.ones(len(matched_treated)), pair_weight]),
        }
    )
    if len(set(ids[matched_treated])) < 2 or len(set(ids[matched_control])) < 2:
        raise ValueError(
            f"after matching, {len(set(ids[matched_treated]))} worked-with and {len(set(ids[matched_control]))} "
            "comparison families are left (at least two of each are needed): the county has too few families "
            "alike before the start"
        )
    effects = []
    trends: dict[str, list[tuple[int, float, float]]] = {}
    # An outcome no family changed on has no variance: numpy warns on its standard error; its interval is a point.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for outcome in panel.outcomes.outcomes:
            code = outcome.code
            pre = before[code].reindex(rows["household_id"]).to_numpy()
            post = after[code].reindex(rows["household_id"]).to_numpy()
            trend = (
                last[code].reindex(rows["household_id"]).to_numpy()
                - first[code].reindex(rows["household_id"]).to_numpy()
            )
            exog = sm.add_constant(rows["treated"].to_numpy())
            groups = pd.factorize(rows["household_id"])[0]
            weight = rows["weight"].to_numpy()
            fit = sm.WLS(post - pre, exog, weights=weight).fit(cov_type="cluster", cov_kwds={"groups": groups})
            placebo = sm.WLS(trend, exog, weights=weight).fit(cov_type="cluster", cov_kwds={"groups": groups})
            low, high = _interval(fit)
            pre_low, pre_high = _interval(placebo)
            treated_rows = rows["treated"].to_numpy() == 1
            effects.append(
                Effect(
                    outcome=code,
                    label=outcome.label,
                    estimate=float(fit.params[1]),
                    low=float(low),
                    high=float(high),
                    p_value=float(fit.pvalues[1]) if np.isfinite(fit.pvalues[1]) else 1.0,
                    treated_before=float(pre[treated_rows].mean()),
                    treated_after=float(post[treated_rows].mean()),
                    comparison_before=float(np.average(pre[~treated_rows], weights=weight[~treated_rows])),
                    comparison_after=float(np.average(post[~treated_rows], weights=weight[~treated_rows])),
                    pre_trend=float(placebo.params[1]),
                    pre_trend_low=float(pre_low),
                    pre_trend_high=float(pre_high),
                )
            )
            series = []
            for k in range(-panel.outcomes.terms_before, panel.outcomes.terms_after + 1):
                values = by_term[code].xs(k, level="k").reindex(rows["household_id"]).to_numpy()
                comparison = float(np.average(values[~treated_rows], weights=weight[~treated_rows]))
                series.append((k, float(values[treated_rows].mean()), comparison))
            trends[code] = series
    return ImpactResult(
        worked_with=len(treated_index),
        pool=len(pool_index),
        matched=len(matched_treated),
        unmatched=int(len(treated_index) - len(matched_treated)),
        comparison_used=int((weights > 0).sum()),
        balance=balance,
        effects=effects,
        trends=trends,
        matched_pairs=[(str(ids[t]), str(ids[c])) for t, c in zip(pair_treated, matched_control, strict=True)],
        seconds=time.perf_counter() - began,
    )
