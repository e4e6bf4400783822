# mypy: disable-error-code="no-any-return"
"""True event histories of every agency kind, made from the households' problem states.

Indicator events (those the programmes' criteria look for) happen only in periods when the person's household has
the problem; each active household-period gets at least one, on its focal member. Everything else is background.
Each table is a dict of columns: `person` (true person index), `on` (the day the record's address is taken), dates as
int32 days (-1 = empty), codes as strings, and the kind's own columns named as in the data contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wholefamily.synth.calendar import POSSIBLE_SESSIONS, TERM_CODES, Calendar, age_on, random_days
from wholefamily.synth.people import FEMALE, PARENT, STEP_PARENT
from wholefamily.synth.problems import CRIME, DOMESTIC_ABUSE, EDUCATION, HEALTH, NEED_HELP, WORK, Timeline, school_age

Table = dict[str, np.ndarray]


@dataclass
class World:
    rng: np.random.Generator
    calendar: Calendar
    timeline: Timeline
    dob: np.ndarray
    sex: np.ndarray
    role_at: np.ndarray  # (people, periods) role at the period's end
    partner: np.ndarray
    dwelling_ward: np.ndarray  # (households, periods) ward of the household's dwelling (-1)
    ward_district: np.ndarray
    universal_credit_from: int
    codes: dict[str, dict[str, frozenset[str]]]  # codelist -> attribute -> codes where true


class Context:
    """Per-period matrices shared by the kinds: ages, presence, problem states of each person's household."""

    def __init__(self, world: World) -> None:
        self.world = world
        cal = world.calendar
        self.rng = world.rng
        self.at = world.timeline.household_at
        self.present = self.at >= 0
        self.age_start = np.stack([age_on(world.dob, int(d)) for d in cal.starts], axis=1)
        self.age_end = np.stack([age_on(world.dob, int(d)) for d in cal.ends], axis=1)
        self.present &= self.age_end >= 0
        self.school_age = school_age(world.dob, cal) & self.present
        people = len(world.dob)
        self.u = {
            name: world.rng.random(people)
            for name in ("edu", "ap", "order", "benefit", "employ", "neet", "csc", "priority", "school")
        }

    def state(self, problem: int) -> np.ndarray:
        states = self.world.timeline.states[:, problem, :]
        return states[np.maximum(self.at, 0), np.arange(self.at.shape[1])[None, :]] & self.present

    def focal(self, mask: np.ndarray, priority: np.ndarray) -> np.ndarray:
        """For each household and period, the one member with `mask` and the highest priority.

        In the window the mask must hold in all three periods, so the focal member is the same throughout.
        """
        window = self.world.calendar.window
        mask = mask.copy()
        throughout = np.asarray(mask[:, window.start : window.stop].all(axis=1))
        mask[:, window.start : window.stop] = throughout[:, None]
        out = np.zeros_like(mask)
        for period in range(mask.shape[1]):
            people = np.flatnonzero(mask[:, period])
            if not len(people):
                continue
            households = self.at[people, period]
            order = np.lexsort((-priority[people], households))
            people, households = people[order], households[order]
            first = np.r_[True, households[1:] != households[:-1]]
            out[people[first], period] = True
        return out

    def days(self, periods: np.ndarray, people: np.ndarray | None = None) -> np.ndarray:
        cal = self.world.calendar
        first = cal.starts[periods]
        if people is not None:
            first = np.maximum(first, self.world.dob[people])
        return random_days(self.rng, first, cal.ends[periods])

    def draw(self, probability: np.ndarray | float, mask: np.ndarray) -> np.ndarray:
        return mask & (self.rng.random(mask.shape) < probability)


def _choice(rng: np.random.Generator, options: list[str], weights: list[float], size: int) -> np.ndarray:
    p = np.array(weights, dtype=float)
    return np.array(options, dtype=object)[rng.choice(len(options), size=size, p=p / p.sum())]


def _runs(status: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, first period, last period) of every run of consecutive True periods."""
    padded = np.zeros((status.shape[0], status.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = status
    diff = np.diff(padded, axis=1)
    start_person, start_period = np.nonzero(diff == 1)
    _, end_period = np.nonzero(diff == -1)
    return start_person.astype(np.int32), start_period, end_period - 1


def _spells(ctx: Context, status: np.ndarray, *, is_current: bool) -> Table:
    """Spells from runs. Current-at-date spells end in the period after the run (open at the run's last day);
    window spells end within the run's last period. Runs reaching the last period stay open."""
    cal = ctx.world.calendar
    person, first, last = _runs(status)
    start = ctx.days(first, person)
    is_open = last >= cal.periods - 1
    if is_current:
        following = np.minimum(last + 1, cal.periods - 1)
        end = random_days(ctx.rng, cal.starts[following], cal.ends[following] - 1)
    else:
        end = random_days(ctx.rng, np.maximum(start, cal.starts[last]), cal.ends[last])
    end = np.where(is_open, -1, end).astype(np.int32)
    return {"person": person, "start_on": start, "end_on": end, "on": start, "first": first, "last": last}


def _urn(ctx: Context, people: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """The school a pupil attends: one of three primaries of the ward or two secondaries of the district."""
    world = ctx.world
    ward = world.dwelling_ward[ctx.at[people, periods], periods].astype(np.int64)
    year = world.calendar.academic_years[periods]
    age = age_on(world.dob[people], ((year - 1970) * 365.25 + 242).astype(np.int64))  # about 31 August
    pick = (ctx.u["school"][people] * 6).astype(np.int64)
    primary = 100000 + ward * 3 + pick % 3
    secondary = 200000 + world.ward_district[ward].astype(np.int64) * 2 + pick % 2
    urn = np.where(age <= 10, primary, secondary) + 790000
    return urn


def education(ctx: Context) -> dict[str, Table]:
    rng, cal = ctx.rng, ctx.world.calendar
    active = ctx.state(EDUCATION)
    focal = ctx.focal(ctx.school_age & active, ctx.u["priority"])
    elevated = active & ctx.school_age & (focal | (ctx.u["edu"][:, None] < 0.5))
    cme_status = ctx.draw(0.03, active & ctx.school_age & ~focal)
    enrolled = ctx.school_age & ~cme_status
    people, periods = np.nonzero(enrolled)
    is_elevated = elevated[people, periods]
    # Background absence stays under 9% a term (below the 10% persistent-absence line); a pupil with the problem
    # misses 26% or more, at least 60% of it unauthorised (so 15%+ unauthorised: the 2012 line).
    share = np.minimum(rng.beta(1.3, 30, len(people)), 0.09)
    share = np.where(is_elevated, 0.26 + 0.45 * rng.beta(2, 5, len(people)), share)
    possible = np.array(POSSIBLE_SESSIONS)[cal.terms[periods]]
    absent = np.round(share * possible).astype(np.int32)
    unauthorised_share = np.where(is_elevated, rng.uniform(0.6, 0.9, len(people)), 0.3)
    unauthorised = np.ceil(absent * unauthorised_share).astype(np.int32)
    urn = _urn(ctx, people, periods)
    attendance = {
        "person": people.astype(np.int32),
        "on": (cal.starts[periods] + 40).astype(np.int32),
        "pupil_period": periods,
        "academic_year": cal.academic_years[periods],
        "term": np.array(TERM_CODES, dtype=object)[cal.terms[periods]],
        "school_urn": urn,
        "possible_sessions": possible.astype(np.int32),
        "authorised_absence_sessions": absent - unauthorised,
        "unauthorised_absence_sessions": unauthorised,
    }
    # Exclusions: fixed-term and permanent for elevated pupils; a rare fixed-term one for others, never in the first
    # two window terms (so no one outside the problem reaches three in the last three terms).
    window = cal.window
    background_ok = np.ones(cal.periods, dtype=bool)
    background_ok[window.start : window.stop - 1] = False
    fixed = ctx.draw(0.25, elevated & enrolled) | ctx.draw(0.01, enrolled & ~elevated & background_ok[None, :])
    second = ctx.draw(0.3, fixed & elevated)
    permanent = ctx.draw(0.01, elevated & enrolled)
    ex_people = np.concatenate([np.nonzero(fixed)[0], np.nonzero(second)[0], np.nonzero(permanent)[0]])
    ex_periods = np.concatenate([np.nonzero(fixed)[1], np.nonzero(second)[1], np.nonzero(permanent)[1]])
    is_permanent = np.r_[
        np.zeros(int(fixed.sum()) + int(second.sum()), dtype=bool), np.ones(int(permanent.sum()), dtype=bool)
    ]
    start = ctx.days(ex_periods, ex_people)
    days = rng.choice(np.array([0.5, 1, 1.5, 2, 3, 5]), size=len(ex_people))
    exclusions = {
        "person": ex_people.astype(np.int32),
        "on": start,
        "school_urn": _urn(ctx, ex_people, ex_periods),
        "exclusion_type": np.where(is_permanent, "permanent", "fixed_term").astype(object),
        "start_on": start,
        "days": np.where(is_permanent, np.nan, days),
    }
    ap = _spells(ctx, elevated & (ctx.u["ap"][:, None] < 0.08), is_current=True)
    n = len(ap["person"])
    ap["reason"] = _choice(
        rng, ["behaviour", "fixed_term_exclusion", "permanent_exclusion", "managed_move", "other"], [5, 2, 2, 1, 0.5], n
    )
    ap["provision_type"] = _choice(
        rng,
        ["pupil_referral_unit", "ap_academy", "ap_free_school", "independent", "further_education", "other"],
        [6, 2, 1, 0.5, 0.5, 0.3],
        n,
    )
    cme_people, cme_periods = np.nonzero(cme_status)
    cme_start = ctx.days(cme_periods, cme_people)
    cme = {
        "person": cme_people.astype(np.int32),
        "on": cme_start,
        "start_on": cme_start,
        "end_on": random_days(rng, cme_start, cal.ends[cme_periods]),
    }
    return {
        "school_attendance": attendance,
        "exclusions": exclusions,
        "alternative_provision": ap,
        "children_missing_education": cme,
    }


def crime(ctx: Context) -> dict[str, Table]:
    world, rng = ctx.world, ctx.rng
    active = ctx.state(CRIME)
    child_ok = ctx.present & (ctx.age_start >= 10) & (ctx.age_end <= 17)
    adult_ok = ctx.present & (ctx.age_start >= 18)
    focal_child = ctx.focal(child_ok & active, ctx.u["priority"])
    has_child = np.zeros_like(active)
    household = np.maximum(ctx.at, 0)
    for period in range(active.shape[1]):
        with_child = (
            np.bincount(household[focal_child[:, period], period], minlength=world.timeline.states.shape[0]) > 0
        )
        has_child[:, period] = with_child[household[:, period]]
    focal_asb = ctx.focal(active & ~has_child & ctx.present & (ctx.age_start >= 10), ctx.u["priority"])
    child_offence = focal_child | ctx.draw(0.25, child_ok & active & ~focal_child)
    adult_offence = ctx.draw(np.where(active, 0.08, 0.006), adult_ok)
    c_people, c_periods = np.nonzero(child_offence)
    a_people, a_periods = np.nonzero(adult_offence)
    c_proven = focal_child[c_people, c_periods] | (rng.random(len(c_people)) < 0.7)
    a_proven = rng.random(len(a_people)) < 0.6
    proven_codes = world.codes["disposal"]["is_proven_outcome"]
    youth = [
        c
        for c in (
            "youth_caution",
            "youth_conditional_caution",
            "referral_order",
            "youth_rehabilitation_order",
            "detention_training_order",
        )
        if c in proven_codes
    ]
    adult = [
        c
        for c in ("adult_caution", "fine", "discharge", "community_order", "suspended_sentence", "custody")
        if c in proven_codes
    ]
    unproven = ["no_further_action", "not_guilty", "pending"]
    people = np.concatenate([c_people, a_people]).astype(np.int32)
    periods = np.concatenate([c_periods, a_periods])
    proven = np.concatenate([c_proven, a_proven])
    disposal = np.concatenate(
        [
            np.where(
                c_proven,
                _choice(rng, youth, [4, 2, 3, 1, 0.3], len(c_people)),
                _choice(rng, unproven, [5, 1, 1], len(c_people)),
            ),
            np.where(
                a_proven,
                _choice(rng, adult, [3, 3, 1, 2, 1, 1], len(a_people)),
                _choice(rng, unproven, [5, 1, 1], len(a_people)),
            ),
        ]
    )
    on = ctx.days(periods, people)
    offences = {
        "person": people,
        "on": on,
        "offence_on": on,
        "is_proven": proven,
        "disposal": disposal.astype(object),
        "offence_type": _choice(
            rng,
            [
                "violence",
                "theft",
                "criminal_damage",
                "public_order",
                "drugs",
                "burglary",
                "vehicle",
                "motoring",
                "robbery",
                "weapons",
                "fraud",
                "sexual",
                "other",
            ],
            [20, 20, 12, 10, 8, 6, 5, 5, 3, 3, 3, 1, 4],
            len(people),
        ),
    }
    other_asb = ctx.draw(0.08, active & ctx.present & (ctx.age_start >= 10) & ~focal_asb)
    f_people, f_periods = np.nonzero(focal_asb)
    o_people, o_periods = np.nonzero(other_asb)
    s_people = np.concatenate([f_people, o_people])
    s_periods = np.concatenate([f_periods, o_periods])
    s_on = ctx.days(s_periods, s_people)
    # The one intervention a problem term guarantees is of a kind the 2012 criteria count as well.
    orders_2012 = _choice(
        rng,
        ["acceptable_behaviour_contract", "housing_asb_intervention", "asb_injunction", "asbo"],
        [6, 3, 1, 1],
        len(f_people),
    )
    asb = {
        "person": s_people.astype(np.int32),
        "on": s_on,
        "intervention_type": np.concatenate(
            [
                orders_2012,
                _choice(
                    rng,
                    [
                        "warning",
                        "acceptable_behaviour_contract",
                        "community_protection_notice",
                        "civil_injunction",
                        "criminal_behaviour_order",
                        "housing_asb_intervention",
                        "dispersal",
                        "parenting_order",
                        "other_local",
                    ],
                    [10, 6, 3, 2, 1, 3, 3, 1, 2],
                    len(o_people),
                ),
            ]
        ),
        "intervention_on": s_on,
        "agency": _choice(
            rng,
            ["police", "council", "housing_provider", "youth_offending_service", "other"],
            [6, 2, 2, 1, 0.3],
            len(s_people),
        ),
    }
    orders = _spells(ctx, adult_ok & active & (ctx.u["order"][:, None] < 0.12), is_current=True)
    n = len(orders["person"])
    order_type = _choice(rng, ["community_order", "suspended_sentence", "custody"], [45, 20, 35], n)
    is_custody = order_type == "custody"
    cal = world.calendar
    end = np.where(orders["end_on"] < 0, cal.ends[-1] + rng.integers(30, 540, n), orders["end_on"])
    release = orders["start_on"] + ((end - orders["start_on"]) * rng.uniform(0.3, 0.6, n)).astype(np.int32)
    role = world.role_at[orders["person"], orders["first"]]
    parenting = np.isin(role, (PARENT, STEP_PARENT))
    # A licence that starts after the history's end is not in a delivery made then.
    licence = np.flatnonzero(is_custody & (release <= cal.ends[-1]))
    custody = {
        "person": np.concatenate([orders["person"], orders["person"][licence]]),
        "on": np.concatenate([orders["start_on"], release[licence]]),
        "order_type": np.concatenate([order_type, np.full(len(licence), "licence", dtype=object)]),
        "start_on": np.concatenate([orders["start_on"], release[licence]]),
        "end_on": np.concatenate([np.where(is_custody, release, end), end[licence]]).astype(np.int32),
        "release_on": np.concatenate([np.where(is_custody, release, -1), np.full(len(licence), -1)]).astype(np.int32),
        "has_parenting_responsibility": np.concatenate([parenting, parenting[licence]]),
    }
    return {"offences": offences, "asb_interventions": asb, "custody_and_supervision": custody}


def domestic_abuse(ctx: Context) -> dict[str, Table]:
    world, rng = ctx.world, ctx.rng
    active = ctx.state(DOMESTIC_ABUSE)
    eligible = ctx.present & (ctx.age_start >= 16)
    priority = ctx.u["priority"] + (world.sex == FEMALE) * 2.0
    victim = ctx.focal(eligible & active, priority)
    extra = ctx.draw(0.3, victim)
    v_people = np.concatenate([np.nonzero(victim)[0], np.nonzero(extra)[0]]).astype(np.int32)
    v_periods = np.concatenate([np.nonzero(victim)[1], np.nonzero(extra)[1]])
    on = ctx.days(v_periods, v_people)
    partner = world.partner[v_people]
    with_partner = (partner >= 0) & (ctx.at[np.maximum(partner, 0), v_periods] == ctx.at[v_people, v_periods])
    callout = rng.random(len(v_people)) < 0.85
    marac = rng.random(len(v_people)) < 0.1
    p_index = np.flatnonzero(with_partner)
    table = {
        "person": np.concatenate([v_people, partner[p_index]]).astype(np.int32),
        "on": np.concatenate([on, on[p_index]]),
        "incident_on": np.concatenate([on, on[p_index]]),
        "role": np.concatenate(
            [np.full(len(v_people), "victim", dtype=object), np.full(len(p_index), "perpetrator", dtype=object)]
        ),
        "is_police_callout": np.concatenate([callout, callout[p_index]]),
        "is_marac": np.concatenate([marac, marac[p_index]]),
    }
    return {"domestic_abuse": table}


def work(ctx: Context) -> dict[str, Table]:
    world, rng, cal = ctx.world, ctx.rng, ctx.world.calendar
    active = ctx.state(WORK)
    adult = ctx.present & (ctx.age_start >= 18) & (ctx.age_end <= 64)
    youth = ctx.present & (ctx.age_start >= 16) & (ctx.age_end <= 18)
    # Adults of working age through the whole window come first (the 2012 criterion needs an adult on benefits).
    window_start = int(world.calendar.starts[world.calendar.window.start])
    is_adult_throughout = (age_on(world.dob, window_start) >= 18) & (
        age_on(world.dob, world.calendar.reference_on) <= 64
    )
    focal = ctx.focal(active & (adult | youth), ctx.u["priority"] + is_adult_throughout * 2.0)
    out_of_work = adult & active & (focal | (ctx.u["benefit"][:, None] < 0.5))
    spells = _spells(ctx, out_of_work, is_current=True)
    n = len(spells["person"])
    # Claims that cover the reference date in a family with all three 2012 problems stay on a legacy out-of-work
    # benefit (the 2012 list has no Universal Credit), whenever they started.
    reference = world.calendar.reference_period
    states = world.timeline.states[:, :, reference]
    core = states[:, CRIME] & states[:, EDUCATION] & states[:, WORK]
    home = ctx.at[spells["person"], reference]
    covers_reference = (spells["first"] <= reference) & (spells["last"] >= reference)
    is_core = covers_reference & (home >= 0) & core[np.maximum(home, 0)]
    is_uc = (spells["start_on"] >= world.universal_credit_from) & ~is_core
    legacy = _choice(rng, ["JSA", "ESA", "IS", "CA"], [35, 35, 25, 5], n)
    regime = _choice(rng, ["searching_for_work", "planning_for_work", "preparing_for_work"], [60, 15, 25], n)
    housing_benefit = np.flatnonzero(~is_uc & (rng.random(n) < 0.5))
    adults_ever = np.flatnonzero(adult.any(axis=1))
    pip = adults_ever[rng.random(len(adults_ever)) < 0.03]
    first_adult = adult[pip].argmax(axis=1)
    pip_start = ctx.days(first_adult, pip)
    benefits = {
        "person": np.concatenate([spells["person"], spells["person"][housing_benefit], pip]).astype(np.int32),
        "benefit_type": np.concatenate(
            [
                np.where(is_uc, "UC", legacy),
                np.full(len(housing_benefit), "HB", dtype=object),
                np.full(len(pip), "PIP", dtype=object),
            ]
        ).astype(object),
        "uc_conditionality_regime": np.concatenate(
            [np.where(is_uc, regime, np.full(n, None)), np.full(len(housing_benefit) + len(pip), None)]
        ).astype(object),
        "start_on": np.concatenate([spells["start_on"], spells["start_on"][housing_benefit], pip_start]).astype(
            np.int32
        ),
        "end_on": np.concatenate([spells["end_on"], spells["end_on"][housing_benefit], np.full(len(pip), -1)]).astype(
            np.int32
        ),
    }
    benefits["on"] = benefits["start_on"]
    employed = adult & ~out_of_work & (ctx.u["employ"][:, None] < 0.78)
    jobs = _spells(ctx, employed, is_current=True)
    employment = {
        "person": jobs["person"],
        "on": jobs["start_on"],
        "start_on": jobs["start_on"],
        "end_on": jobs["end_on"],
        "hours_band": _choice(rng, ["30_plus", "16_to_29", "under_16"], [65, 25, 10], len(jobs["person"])),
    }
    attached = np.flatnonzero(rng.random(n) < 0.2)
    attach_on = spells["start_on"][attached] + rng.integers(30, 120, len(attached)).astype(np.int32)
    keep = attach_on <= cal.ends[-1]
    attached, attach_on = attached[keep], attach_on[keep]
    esf = {
        "person": spells["person"][attached],
        "on": attach_on,
        "programme": _choice(rng, ["work_programme", "esf_troubled_families"], [60, 40], len(attached)),
        "attachment_on": attach_on,
        "end_on": np.where(
            rng.random(len(attached)) < 0.85, attach_on + rng.integers(180, 730, len(attached)), -1
        ).astype(np.int32),
    }
    # A delivery made at the history's end cannot know a later end: the spell is still open then.
    esf["end_on"] = np.where(esf["end_on"] > cal.ends[-1], -1, esf["end_on"]).astype(np.int32)
    neet_mask = youth & active & (focal | (ctx.u["neet"][:, None] < 0.5))
    y_people, y_periods = np.nonzero(youth)
    is_neet = neet_mask[y_people, y_periods]
    recorded = ctx.days(y_periods, y_people)
    status = np.where(
        is_neet,
        _choice(rng, ["neet_available", "neet_not_available"], [70, 30], len(y_people)),
        _choice(rng, ["education", "training", "employment", "not_known"], [65, 15, 12, 8], len(y_people)),
    )
    neet = {
        "person": y_people.astype(np.int32),
        "on": recorded,
        "status": status.astype(object),
        "recorded_on": recorded,
    }
    return {"benefits": benefits, "employment": employment, "work_programme_esf": esf, "neet": neet}


def need_help(ctx: Context) -> dict[str, Table]:
    rng = ctx.rng
    active = ctx.state(NEED_HELP)
    child = ctx.present & (ctx.age_end <= 17)
    focal = ctx.focal(child & active, ctx.u["priority"])
    status = child & active & (focal | (ctx.u["csc"][:, None] < 0.3))
    episodes = _spells(ctx, status, is_current=False)
    episodes["episode_type"] = _choice(
        rng,
        ["early_help_assessment", "child_in_need", "section_47", "child_protection_plan"],
        [40, 30, 15, 10],
        len(episodes["person"]),
    )
    # Some children are also looked after for part of a problem term (no criterion counts it on its own).
    looked_after = _spells(ctx, ctx.draw(0.03, status), is_current=False)
    looked_after["episode_type"] = np.full(len(looked_after["person"]), "looked_after", dtype=object)
    episodes = {key: np.concatenate([episodes[key], looked_after[key]]) for key in episodes}
    missing_mask = ctx.draw(0.1, child & active & (ctx.age_start >= 10))
    people, periods = np.nonzero(missing_mask)
    start = ctx.days(periods, people)
    missing = {
        "person": people.astype(np.int32),
        "on": start,
        "start_on": start,
        "end_on": np.minimum(start + rng.integers(0, 4, len(people)), ctx.world.calendar.ends[periods]).astype(
            np.int32
        ),
    }
    return {"social_care": episodes, "missing_episodes": missing}


def health(ctx: Context) -> dict[str, Table]:
    rng = ctx.rng
    active = ctx.state(HEALTH)
    focal = ctx.focal(active & ctx.present, ctx.u["priority"])
    flagged = focal | ctx.draw(0.1, active & ctx.present & ~focal)
    background = ctx.draw(0.01, ctx.present)
    q_people, q_periods = np.nonzero(flagged)
    b_people, b_periods = np.nonzero(background)
    q_type = _choice(rng, ["mental_health", "substance_misuse", "alcohol_misuse"], [50, 25, 25], len(q_people))
    is_child = ctx.age_end[q_people, q_periods] < 18
    q_service = np.where(
        q_type == "mental_health",
        np.where(is_child, "camhs", _choice(rng, ["gp", "adult_mental_health"], [2, 1], len(q_people))),
        "drug_alcohol_service",
    )
    b_type = _choice(rng, ["physical_health", "obesity", "diabetes", "other"], [40, 25, 20, 15], len(b_people))
    b_service = _choice(rng, ["gp", "hospital", "school_nursing", "other"], [6, 3, 1, 1], len(b_people))
    people = np.concatenate([q_people, b_people]).astype(np.int32)
    periods = np.concatenate([q_periods, b_periods])
    recorded = ctx.days(periods, people)
    table = {
        "person": people,
        "on": recorded,
        "flag_type": np.concatenate([q_type, b_type]).astype(object),
        "recorded_on": recorded,
        "source_service": np.concatenate([q_service, b_service]).astype(object),
    }
    return {"health": table}


def housing(ctx: Context) -> dict[str, Table]:
    rng = ctx.rng
    active = ctx.state(WORK)
    tenant = ctx.focal(
        ctx.present & (ctx.age_start >= 18), ctx.u["priority"] + np.isin(ctx.world.role_at[:, 0], (PARENT,)) * 1.0
    )
    kinds = [
        "rent_arrears",
        "notice_seeking_possession",
        "eviction",
        "homelessness_application",
        "temporary_accommodation",
    ]
    active_rates = [0.10, 0.02, 0.005, 0.005, 0.003]
    people_parts, period_parts, type_parts = [], [], []
    for kind, rate in zip(kinds, active_rates, strict=True):
        mask = ctx.draw(np.where(active, rate, rate / 10), tenant)
        p, k = np.nonzero(mask)
        people_parts.append(p)
        period_parts.append(k)
        type_parts.append(np.full(len(p), kind, dtype=object))
    people = np.concatenate(people_parts).astype(np.int32)
    periods = np.concatenate(period_parts)
    event_type = np.concatenate(type_parts)
    on = ctx.days(periods, people)
    amount = np.where(event_type == "rent_arrears", np.round(rng.gamma(2.0, 400.0, len(people)), 2), np.nan)
    return {"housing": {"person": people, "on": on, "event_type": event_type, "event_on": on, "amount": amount}}


def make_events(world: World) -> dict[str, Table]:
    """Every kind's true records, keyed by kind."""
    ctx = Context(world)
    out: dict[str, Table] = {}
    for maker in (education, crime, domestic_abuse, work, need_help, health, housing):
        out.update(maker(ctx))
    return out
