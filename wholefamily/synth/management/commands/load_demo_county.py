"""`wholefamily load_demo_county`: the synthetic county through the whole pipeline, so every demo page shows real work.

Generate the county (1 September 2021 to 31 August 2026), import every agency file, link, identify Supporting
Families 2022 as of each 31 August, make one team per district, and give the first district's team its history
(ADR 0011): families taken on after each identification, worked with through the pathway on the days it happened,
scored, reviewed and closed; outcomes measured; a claim window's claims computed, sampled, validated and rejected;
and today's families from the latest identification on the waiting list and with the demo key workers. Each stage
reuses what a previous run left (the county under DATA_DIR/demo-county/, dataset versions by checksum, the current
linkage run, identification runs by programme, date and snapshot, the history once built), so a second run finishes
in seconds. Never in production.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from wholefamily.cases import assessment_definition, from_cohort
from wholefamily.cases import services as cases
from wholefamily.cases.models import Case, DistrictEstimate
from wholefamily.claims.definitions import results_rules
from wholefamily.domain.pathway import Stage
from wholefamily.governance.agreements import create_demo_agreements
from wholefamily.governance.audit import record
from wholefamily.governance.management.commands.setup_demo import DEMO_PASSWORD, create_demo_staff
from wholefamily.governance.models import Team
from wholefamily.identification.models import IdentificationRun
from wholefamily.identification.services import identify_families, load_programme_definition
from wholefamily.ingest.models import DatasetVersion, ImportRun
from wholefamily.ingest.services import contracts, file_sha256, import_file
from wholefamily.jobs.cli_progress import RichProgress, console_for
from wholefamily.linkage.models import LinkageRun
from wholefamily.linkage.services import linkable_dataset_versions, run_linkage, snapshot_dir
from wholefamily.synth import GENERATOR_VERSION
from wholefamily.synth.demo_history import (
    FAMILIES_PER_INTAKE,
    DemoHistory,
    HistoryTally,
    worked_with_households,
)
from wholefamily.synth.generator import Parameters, generate

SYSTEM_ACTOR = "system:load_demo_county"
PROFILE = "synthetic-county"
START_ON = "2021-09-01"  # five years of history to 31 August 2026 (ADR 0011)
YEARS = 5
REFERENCE_YEARS = 1  # the reference date, when the county's worked-with families were identified: 31 August 2022
PROGRAMME = "supporting-families-2022"  # in force from 1 April 2022, and today
CLAIM_WINDOWS = 1  # the last claim window the data covers is computed (one claim a family: ADR 0011)
REFERENCE_YEAR = 2022  # the county's worked-with families started after its reference date, 31 August 2022
TODAY_RESERVED = {"keyworker": 3, "keyworker2": 1}  # caseload kept for today's families (TODAY_ORDER)
EFFECT_SIZE = 0.95  # the modelled programme's effect on the families worked with (ADR 0011, ADR 0018)
WORKED_SHARE = 1.0  # the share of the county's families with two or more problems it worked with (ADR 0018)
OTHER_TEAMS_PER_INTAKE = 6  # families every other district's team took on after each yearly identification
OPEN_PER_TEAM = 2  # the last families each team took on are still open today (ADR 0018)
HISTORY_FROM_YEAR = 2022  # identified as of 31 August 2022, 2023, 2024 and 2025: the history's intakes
# What each of today's families becomes, in turn ("plan": with the demo key worker, assessed, with an agreed plan;
# "waiting": on the waiting list; "allocated": just allocated to the second key worker): a small county has only a
# few, and every kind comes first.
TODAY_ORDER = ("plan", "waiting", "allocated", "plan", "waiting", "plan", "waiting")
MANAGER, KEY_WORKER, SECOND_KEY_WORKER = "manager", "keyworker", "keyworker2"
PROGRAMME_MANAGER, ANALYST, AUDITOR = "programme", "analyst", "auditor"


@dataclass
class Tally:
    """What this run created (a second run over the same county creates nothing)."""

    is_generated: bool = False
    imported: list[str] = field(default_factory=list)
    is_linked: bool = False
    identified: list[str] = field(default_factory=list)
    cases_opened: int = 0
    history: HistoryTally | None = None

    @property
    def is_anything_new(self) -> bool:
        return bool(
            self.is_generated or self.imported or self.is_linked or self.identified or self.cases_opened or self.history
        )


class _StageReporter:
    """The generator's `Reporter` drawn on one rich progress bar, a stage at a time."""

    def __init__(self, progress: RichProgress) -> None:
        self.progress = progress

    def stage(self, name: str, total: int) -> Callable[[int], None]:
        self.progress.start(total, f"Generating: {name}")

        def advance(step: int = 1) -> None:
            self.progress.advance(step)

        return advance


def county_dir(population: int, seed: int) -> Path:
    return Path(settings.DATA_DIR) / "demo-county" / f"population-{population}-seed-{seed}"


def _read_manifest(folder: Path, params: Parameters) -> dict[str, Any] | None:
    """The county's manifest if a finished county with these parameters is there (the manifest is written last)."""
    path = folder / "manifest.json"
    if not path.exists():
        return None
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("generator_version") != GENERATOR_VERSION:
        return None  # an older generator wrote fewer files (area statistics came with 1.1.0): make it again
    wanted = {
        "population": params.population,
        "seed": params.seed,
        "start": params.start,
        "years": params.years,
        "worked_share": params.worked_share,
        "effect_size": params.effect_size,
        "reference_years": params.reference_years,
    }
    return manifest if all(manifest["parameters"].get(k) == v for k, v in wanted.items()) else None


def write_postcode_lookup(county: Path) -> Path:
    """The county's postcode -> district, ward lookup where identification looks for it (linkage snapshots carry
    households' postcodes only)."""
    target = Path(settings.DATA_DIR) / "geography" / "postcodes.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    dwellings = pq.read_table(county / "truth" / "dwellings.parquet", columns=["postcode", "district", "ward"])
    lookup = dwellings.group_by(["postcode", "district", "ward"]).aggregate([]).sort_by("postcode")
    if target.exists() and pq.read_table(target).equals(lookup):
        return target
    partial = target.with_suffix(".parquet.tmp")
    pq.write_table(lookup, partial)
    partial.replace(target)
    return target


def has_rows(path: Path) -> bool:
    """Whether an agency file has a data row after its header (a small county may have no records of a kind, and
    the ingest refuses an empty delivery)."""
    with path.open(encoding="utf-8") as handle:
        handle.readline()
        return any(line.strip() for line in handle)


class Command(BaseCommand):
    help = (
        "Load the synthetic demo county end to end (generate, import, link, identify, teams and a few cases). "
        "Safe to run again: a second run reuses what is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--population", type=int, default=50_000, help="residents at the start (default 50,000)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--families-per-intake",
            type=int,
            default=FAMILIES_PER_INTAKE,
            help=f"families the demo team took on after each yearly identification (default {FAMILIES_PER_INTAKE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo county is never loaded in production.")
        population, seed = int(options["population"]), int(options["seed"])
        self.families_per_intake = int(options["families_per_intake"])
        if population < 100:
            raise CommandError("--population must be at least 100")
        started = time.monotonic()
        self.console = console_for(self.stdout._out)
        self.tally = Tally()
        self.timings: dict[str, float] = {}
        params = Parameters(
            population=population,
            seed=seed,
            start=START_ON,
            years=YEARS,
            worked_share=WORKED_SHARE,
            effect_size=EFFECT_SIZE,
            reference_years=REFERENCE_YEARS,
        )

        with self._stage("teams and demo users"):
            teams = create_demo_staff(system_actor=SYSTEM_ACTOR)
        with self._stage("county"):
            folder, manifest = self._county(params)
            write_postcode_lookup(folder)
        last_day = dt.date.fromisoformat(manifest["history"]["last_day"])
        with self._stage("import"):
            versions = self._import(folder)
        with self._stage("linkage"):
            linkage = self._link()
        with self._stage("identification"):
            history_runs = [
                self._identify(PROGRAMME, dt.date(year, 8, 31), linkage)
                for year in range(HISTORY_FROM_YEAR, last_day.year)
            ]
            runs = [*history_runs, self._identify(PROGRAMME, last_day, linkage)]
        with self._stage("history"):
            self._history(folder, history_runs, teams, last_day)
        with self._stage("cases"):
            opened = self._cases(runs[-1], teams[0])
            self._estimates(teams)
        with self._stage("impact and savings"):
            self._impact_and_savings()
        with self._stage("services catalogue"):
            self._services(teams, opened)
        seconds = time.monotonic() - started
        self._report(manifest, versions, linkage, runs, opened, teams, seconds)

    # --- stages ---------------------------------------------------------------------------------------------

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.timings[name] = time.monotonic() - started

    def _say(self, text: str) -> None:
        """A line on the terminal (above any progress bar), never wrapped or styled."""
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def _progress(self) -> RichProgress:
        return RichProgress(console=self.console)

    def _county(self, params: Parameters) -> tuple[Path, dict[str, Any]]:
        folder = county_dir(params.population, params.seed)
        manifest = _read_manifest(folder, params)
        if manifest is not None:
            self._say(f"County: reusing {folder}")
            return folder, manifest
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        with self._progress() as progress:
            manifest = generate(
                params, partial, definitions_dir=Path(settings.DEFINITIONS_DIR), reporter=_StageReporter(progress)
            )
        partial.rename(folder)
        with transaction.atomic():
            record(
                by=None,
                action="synth.generate_county",
                object_type="synth.county",
                object_id=folder.name,
                detail={"parameters": manifest["parameters"], "reference_on": manifest["reference_on"]},
                system_actor=SYSTEM_ACTOR,
            )
        self.tally.is_generated = True
        self._say(
            f"County: {manifest['residents_at_reference']:,} residents on {manifest['reference_on']}, "
            f"{sum(manifest['agency_rows'].values()):,} agency records"
        )
        return folder, manifest

    def _import(self, folder: Path) -> list[DatasetVersion]:
        every_file = sorted((folder / "agency").glob("*.csv")) + sorted((folder / "area").glob("*.csv"))
        paths = [path for path in every_file if has_rows(path)]
        versions = []
        # The demo imports under its own data-sharing agreement, covering every kind (ADR 0015).
        create_demo_agreements(kinds=sorted(contracts().kinds), system_actor=SYSTEM_ACTOR)
        with self._progress() as progress:
            for path in paths:
                kind = path.stem
                existing = DatasetVersion.objects.filter(sha256=file_sha256(path), kind=kind, profile=PROFILE).first()
                if existing is not None:
                    versions.append(existing)
                    continue
                run = import_file(path=path, kind=kind, profile=PROFILE, by=None, progress=progress)
                if run.status != ImportRun.Status.ACCEPTED or run.dataset_version is None:
                    raise CommandError(f"{kind}: the import did not succeed ({run.status}): {run.message}")
                versions.append(run.dataset_version)
                self.tally.imported.append(kind)
                self._say(f"  imported {kind}: {run.rows_accepted:,} of {run.rows_read:,} rows")
        reused = len(paths) - len(self.tally.imported)
        empty = f", {len(every_file) - len(paths)} without records left out" if len(paths) < len(every_file) else ""
        self._say(f"Import: {len(self.tally.imported)} files imported, {reused} already there{empty}")
        return versions

    def _link(self) -> LinkageRun:
        wanted = {version.version_id for version in linkable_dataset_versions()}
        current = LinkageRun.objects.filter(is_current=True, status=LinkageRun.Status.SUCCEEDED).first()
        is_up_to_date = current is not None and {item["version_id"] for item in current.dataset_versions} == wanted
        if current is not None and is_up_to_date and snapshot_dir(current).exists():
            self._say(f"Linkage: reusing run {current.run_id}")
            return current
        with self._progress() as progress:
            run = run_linkage(by=None, progress=progress)
        self.tally.is_linked = True
        self._say(f"Linkage: {run.message}")
        return run

    def _identify(self, code: str, as_of_on: dt.date, linkage: LinkageRun) -> IdentificationRun:
        snapshot = snapshot_dir(linkage)
        existing = (
            IdentificationRun.objects.filter(
                programme=code, as_of_on=as_of_on, snapshot=str(snapshot), status=IdentificationRun.Status.SUCCEEDED
            )
            .order_by("-pk")
            .first()
        )
        if existing is not None:
            self._say(f"Identification {code}: reusing run {existing.pk}")
            return existing
        with self._progress() as progress:
            run = identify_families(
                programme=code, as_of_on=as_of_on, snapshot_dir=snapshot, by=None, progress=progress
            )
        self.tally.identified.append(code)
        self._say(f"Identification {code} as of {as_of_on}: {run.message}")
        return run

    def _estimates(self, teams: list[Team]) -> None:
        """Each district's estimate of the families it expects to work with, so the progress table's 'remaining'
        and the report cards' cohort against estimate have figures: the families the district's team has taken on
        and half as many again (an illustrative figure; a council enters its own on the progress page)."""
        manager = get_user_model().objects.get(username=PROGRAMME_MANAGER)
        for team in teams:
            if not team.district or DistrictEstimate.objects.filter(district=team.district).exists():
                continue  # a second run, or the council's own figure: kept
            taken_on = Case.objects.filter(team__district=team.district).count()
            cases.set_district_estimate(district=team.district, families_estimated=taken_on + (taken_on + 1) // 2,
                                        by=manager)  # fmt: skip
        self._say(f"District estimates: {len([t for t in teams if t.district])} districts")

    def _history(self, folder: Path, runs: list[IdentificationRun], teams: list[Team], last_day: dt.date) -> None:
        """The history (ADR 0011, ADR 0018), once: the county's worked-with families with their districts' teams
        from the day their work started, and every team's families from each yearly identification (the demo team's
        `--families-per-intake`, the others' OTHER_TEAMS_PER_INTAKE), the last of them still open today; then
        outcomes measured and the last claim windows the data covers computed (a second run finds the history
        there)."""
        if Case.objects.filter(opened_on__lt=timezone.localdate()).exists():
            self._say("History: reusing the families already worked with")
            return
        users = {user.get_username(): user for user in get_user_model().objects.all()}
        labels = {problem.code: problem.label for problem in load_programme_definition(PROGRAMME).problems}
        history = DemoHistory(today=timezone.localdate(), labels=labels, reserved=TODAY_RESERVED)
        worked_with = worked_with_households(folder)
        reference = next(run for run in runs if run.as_of_on.year == REFERENCE_YEAR)
        history.take_on(history.from_worked_with(reference, worked_with))
        for run in runs:
            intakes = [
                intake
                for team in teams
                for intake in history.from_identification(
                    run, team, self.families_per_intake if team == teams[0] else OTHER_TEAMS_PER_INTAKE
                )
            ]
            history.take_on(intakes, open_per_team=OPEN_PER_TEAM if run == runs[-1] else 0)
        # The windows whose date the agencies' data covers; outcomes measured as of the last of them (the data
        # of the last weeks before the history's end is not all in yet: measured then, it would read as missing).
        windows = [window for window in results_rules(PROGRAMME).claim_windows if window.as_of <= last_day]
        windows = windows[-CLAIM_WINDOWS:]
        if windows:
            history.measure(PROGRAMME, windows[-1].as_of, users[ANALYST])
        codes = [window.code for window in windows]
        best = history.claim(PROGRAMME, codes, users[PROGRAMME_MANAGER], users[AUDITOR])
        self.tally.history = history.tally
        tally = history.tally
        self._say(
            f"History: {tally.opened} families taken on ({len(worked_with)} the county worked with), {tally.closed} "
            f"closed ({tally.opened - tally.closed} still open), {tally.reviews} reviews, "
            f"{tally.distance_points} distance-travelled scorings, "
            f"{tally.taf_meetings} Team Around the Family meetings, {tally.referrals} referrals not accepted, "
            f"{tally.goals} plan goals ({tally.goals_achieved} achieved); "
            + (f"claim window {best[0]}: {best[1]} claims" if best else "no claims")
        )

    def _impact_and_savings(self) -> None:
        """Impact against matched comparison families and the savings (ADR 0023, ADR 0024), once, from the history's
        families, so the review pages and the board pack open on figures. A county too small to match says why."""
        from wholefamily.impact.models import ImpactRun, SavingsRun
        from wholefamily.impact.services import ImpactError, run_impact, run_savings

        analyst = get_user_model().objects.get(username=ANALYST)
        if ImpactRun.objects.exists():
            self._say("Impact: reusing the analysis already there")
        else:
            try:
                impact = run_impact(by=analyst)
                self._say(
                    f"Impact: {impact.worked_with} worked-with families matched to {impact.comparison_used} "
                    "comparison families"
                )
            except ImpactError as error:
                self._say(f"Impact: not analysed ({error})")
        if SavingsRun.objects.exists():
            self._say("Savings: reusing the run already there")
        else:
            try:
                savings = run_savings(by=analyst)
                self._say(f"Savings: costed for {savings.families} families")
            except ImpactError as error:
                self._say(f"Savings: not costed ({error})")

    def _services(self, teams: list[Team], opened: list[Case]) -> None:
        """The catalogue's example services (marked as examples) and referrals to them from today's plans (ADR 0027)."""
        from wholefamily.commissioning.demo import (
            load_example_contract,
            load_example_services,
            load_example_statement,
            refer_example_families,
        )

        today = timezone.localdate()
        added = load_example_services([team.district for team in teams], system_actor=SYSTEM_ACTOR, today=today)
        worker = get_user_model().objects.get(username=KEY_WORKER)
        referred = refer_example_families([Case.objects.get(pk=case.pk) for case in opened], worker=worker, today=today)
        contract = load_example_contract(today=today)
        load_example_statement()
        self._say(
            f"Services: {added} example services added to the catalogue; {referred} referrals from plan goals"
            + ("; an example contract with its returns" if contract else "")
        )

    def _cases(self, run: IdentificationRun, team: Team) -> list[Case]:
        """A few of the first district's families on the programme: some waiting, some with the demo key workers."""
        users = get_user_model().objects
        manager, worker = users.get(username=MANAGER), users.get(username=KEY_WORKER)
        second = users.get(username=SECOND_KEY_WORKER)
        assert isinstance(manager, User) and isinstance(worker, User) and isinstance(second, User)
        families = run.families.filter(team=team, is_qualifying=True).order_by("-problem_count", "family_id")
        labels = {problem.code: problem.label for problem in load_programme_definition(run.programme).problems}
        opened: list[Case] = []
        for family in families.iterator():
            if len(opened) == len(TODAY_ORDER):
                break
            if Case.objects.filter(household_id=family.household_id, opened_on__lte=run.as_of_on).exists():
                continue  # worked with in the history
            case = from_cohort.open_case_for(family)
            if case is None:
                members = from_cohort.household_members(family.household_id)
                if not members:
                    continue  # the household has broken up since: nobody to work with
                case = cases.open_case_from_cohort(
                    team=team,
                    household_id=family.household_id,
                    family_name=from_cohort.family_name_for(members, family.household_id),
                    members=members,
                    evidence_summary=from_cohort.evidence_summary(family, run, labels),
                    programme=run.programme,
                    priority=1 + len(opened) % 3,
                    by=manager,
                )
                case = self._to_waiting_list(case, manager)
                if TODAY_ORDER[len(opened)] == "plan":
                    case = self._to_plan(case, manager, worker, len(opened))
                elif TODAY_ORDER[len(opened)] == "allocated":
                    cases.allocate_case(case=case, worker=second, by=manager)
                self.tally.cases_opened += 1
            opened.append(case)
        self._say(
            f"Cases: {self.tally.cases_opened} opened for {team.name} "
            f"({len(opened) - self.tally.cases_opened} already on the programme)"
        )
        return opened

    @staticmethod
    def _to_waiting_list(case: Case, manager: User) -> Case:
        case = cases.move_case(case=case, to=Stage.INFORMATION_GATHERING, by=manager)
        return cases.move_case(
            case=case, to=Stage.AWAITING_ALLOCATION, note="Information gathered from the agencies", by=manager
        )

    @staticmethod
    def _to_plan(case: Case, manager: User, worker: User, index: int) -> Case:
        cases.allocate_case(case=case, worker=worker, by=manager)
        case.refresh_from_db()
        today = timezone.localdate()
        domains = [domain.code for domain in assessment_definition.load().domains]
        scores = {code: 2 + (index + position) % 4 for position, code in enumerate(domains)}
        cases.record_assessment(
            case=case,
            assessed_on=today,
            summary="Baseline whole-family assessment with the family at home.",
            scores=scores,
            by=worker,
        )
        cases.agree_plan(
            case=case,
            aims="Children in school every day; the adults on the way to work; a calmer home.",
            agreed_on=today,
            by=worker,
        )
        case.refresh_from_db()
        return case

    # --- the summary ----------------------------------------------------------------------------------------

    def _report(
        self,
        manifest: dict[str, Any],
        versions: list[DatasetVersion],
        linkage: LinkageRun,
        runs: list[IdentificationRun],
        opened: list[Case],
        teams: list[Team],
        seconds: float,
    ) -> None:
        figures = {
            "residents": manifest["residents_at_reference"],
            "records": sum(version.rows_accepted for version in versions),
            "dataset_versions": len(versions),
            "persons": linkage.figures.get("persons", 0),
            "households": linkage.figures.get("households", 0),
            "families_identified": {run.programme: run.families_qualifying for run in runs},
            "cases": len(opened),
            "teams": len(teams),
        }
        if self.tally.is_anything_new:
            with transaction.atomic():
                record(
                    by=None,
                    action="load_demo_county",
                    object_type="synth.county",
                    object_id=f"population-{manifest['parameters']['population']}-seed-{manifest['seed']}",
                    detail={**figures, "seconds": round(seconds, 1), "linkage_run": linkage.run_id},
                    system_actor=SYSTEM_ACTOR,
                )
        self._print(figures, manifest, teams, seconds)

    def _print(self, figures: dict[str, Any], manifest: dict[str, Any], teams: list[Team], seconds: float) -> None:
        write = self._say
        identified = ", ".join(f"{count:,} for {code}" for code, count in figures["families_identified"].items())
        write(
            f"Loaded the demo county (seed {manifest['seed']}, reference date {manifest['reference_on']}) "
            f"in {seconds:.1f} s{'' if self.tally.is_anything_new else ' (nothing new: all of it was there)'}:"
        )
        write(f"  residents {figures['residents']:,}; agency records {figures['records']:,} in "
              f"{figures['dataset_versions']} dataset versions")  # fmt: skip
        write(f"  persons {figures['persons']:,} in {figures['households']:,} households")
        write(f"  families identified: {identified}")
        write(f"  cases on the programme in {teams[0].name}: {figures['cases']}; teams: {figures['teams']}")
        write("  stages: " + ", ".join(f"{name} {value:.1f} s" for name, value in self.timings.items()))
        write(f"Sign in as '{KEY_WORKER}' or '{MANAGER}' (password {DEMO_PASSWORD}).")
