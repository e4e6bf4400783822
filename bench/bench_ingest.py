"""Benchmark: the product's import against its engine alone, in one run, with the ratio and peak memory.

CSV: a school attendance file of --rows rows (1 in 1,000 addresses hold a quoted line break). The product's
`wholefamily import` (child process, own SQLite database and data store in a temporary folder) against DuckDB's own
CSV-to-Parquet with the same checks on the same file: the SQL `wholefamily.domain.columnar` compiles from the data
contract (types, formats, code lists, required values, dates in range, formula-like cells) plus the duplicate check,
read with every column as text and written as zstd Parquet. XLSX: a custody and supervision workbook of --xlsx-rows
rows, the product's import against openpyxl's read-only reading alone. Each measured step runs in its own child
process; its peak resident memory is that child's ru_maxrss (os.wait4). Linux counts in a child's peak the parent's
resident memory when it forked, so the files are written by children too and this process stays small (its own peak
is printed). The load average is printed beside each figure: the machine may be shared.

    nice -n 10 .venv/bin/python bench/bench_ingest.py [--rows 1000000] [--xlsx-rows 100000] [--policy reject] [--spark]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORENAMES = ("Amelia", "Oliver", "Zoë", "Siân", "Noah", "Isla", "Jack", "Ava", "Leo", "Mia")
SURNAMES = ("Testperson", "Exampleton-Smith", "O'Sample", "Fictional", "Madeup", "Nobody", "Placeholder")
RECEIVED_ON = dt.date(2016, 1, 1)


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def write_attendance(path: Path, rows: int) -> None:
    """Made-up pupils, three terms a year for two years (no real people; ZZ postcodes), written by DuckDB."""
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false").fetchall()
    connection.execute(
        f"""COPY (
        SELECT 'R' || lpad(i::VARCHAR, 8, '0') AS source_record_id, 'P' || lpad(p::VARCHAR, 8, '0') AS source_person_id,
          {_sql_list(FORENAMES)}[p % 10 + 1] AS forename, {_sql_list(SURNAMES)}[p % 7 + 1] AS surname,
          make_date(2003 + p % 12, 1 + p % 12, 1 + p % 28) AS date_of_birth, ['F', 'M'][p % 2 + 1] AS sex,
          (p % 200 + 1)::VARCHAR || CASE WHEN i % 1000 = 7 THEN ' Nowhere Lane,' || chr(10) || 'Testville'
            ELSE ' Nowhere Lane, Testville' END AS address,
          'ZZ' || (p % 9 + 1)::VARCHAR || ' ' || (p % 9)::VARCHAR || 'AB' AS postcode, (10000000 + p)::VARCHAR AS uprn,
          'X' || lpad(p::VARCHAR, 12, '0') AS pupil_number, 2013 + t // 3 AS academic_year,
          ['autumn', 'spring', 'summer'][t % 3 + 1] AS term, (100000 + p % 300)::VARCHAR AS school_urn,
          140 + t % 3 * 10 AS possible_sessions, i % 9 AS authorised_absence_sessions,
          i % 7 AS unauthorised_absence_sessions
        FROM (SELECT i, i // 6 AS p, i % 6 AS t FROM range({int(rows)}) r(i)) ORDER BY i
        ) TO '{path}' (HEADER true)"""  # noqa: S608 - made-up rows and our own temporary path
    ).fetchall()


def write_custody_workbook(path: Path, rows: int) -> None:
    """Made-up probation cases in the probation case export's workbook layout."""
    from openpyxl import Workbook

    from wholefamily.domain.contract import load_contract_set
    from wholefamily.domain.validation import load_profile
    from wholefamily.ingest.tests.deliveries import canonical_rows, supplier_table

    contracts = load_contract_set(ROOT / "definitions")
    contract = contracts.contract("custody_and_supervision")
    profile = load_profile(ROOT / "definitions" / "profiles", name="probation-case-export", kind=contract.kind)
    template = canonical_rows(contract, contracts, count=100)
    header, body = supplier_table(template, contract, profile, is_typed=True)
    names = list(contract.column_names)
    record = names.index("source_record_id")  # supplier_table keeps the contract's column order
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(profile.sheet or "Sheet1")
    sheet.append(header)
    for i in range(rows):
        row = list(body[i % len(body)])
        row[record] = f"C{i:08d}"
        sheet.append(row)
    workbook.save(path)


BASELINE_CSV = """
import sys, datetime as dt
from pathlib import Path
import duckdb
sys.path.insert(0, {root!r})
from wholefamily.domain.contract import load_contract_set
from wholefamily.domain.validation import load_profile, plan_header
from wholefamily.domain.columnar import compile_delivery
from wholefamily.ingest.columnar import _read_csv_sql
import csv
path = Path({path!r})
contracts = load_contract_set(Path({root!r}) / "definitions")
contract = contracts.contract("school_attendance")
profile = load_profile(Path({root!r}) / "definitions" / "profiles", name="synthetic-county", kind=contract.kind)
header = next(csv.reader(path.open(encoding="utf-8")))
plan = plan_header(header, contract, profile)
compiled = compile_delivery(contract=contract, codelists=contracts.codelists, profile=profile, plan=plan,
    received_on=dt.date.fromisoformat({received!r}), header_width=len(header))
raw = ", ".join(f"COALESCE(column{{i}}, '') AS c{{i}}" for i in range(len(header)))
source = _read_csv_sql(path, width=len(header), delimiter=",", max_line=1_000_000)
connection = duckdb.connect()
connection.execute("SET enable_progress_bar = false").fetchall()
connection.execute("SET memory_limit = '512MB'").fetchall()
connection.execute(
    f"COPY (SELECT {{compiled.select_list()}}, line AS source_line FROM "
    f"(SELECT ordinality AS line, {{raw}} FROM {{source}}) "
    f"WHERE line > 1 AND NOT ({{compiled.blank_sql}}) AND {{compiled.clean_sql}}) "
    "TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
).fetchall()
duplicates = connection.execute(
    "SELECT count(*) FROM (SELECT source_record_id FROM read_parquet('{out}') GROUP BY ALL HAVING count(*) > 1)"
).fetchall()[0][0]
rows = connection.execute("SELECT count(*) FROM read_parquet('{out}')").fetchall()[0][0]
print(f"{{rows:,}} rows written, {{duplicates}} duplicate keys")
"""

BASELINE_XLSX = """
from openpyxl import load_workbook
workbook = load_workbook({path!r}, read_only=True, data_only=True)
count = sum(1 for _ in workbook[workbook.sheetnames[0]].iter_rows(values_only=True))
workbook.close()
print(f"{{count:,}} rows read")
"""


@dataclass
class Measured:
    seconds: float
    peak_mib: float
    load: str
    output: str


def measure(command: list[str], *, env: dict[str, str] | None = None) -> Measured:
    """Run `command` as a child; its wall time and its own peak resident memory (os.wait4's ru_maxrss)."""
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace").strip()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed:\n{output[-3000:]}")
    return Measured(seconds, usage.ru_maxrss / 1024, load, output)


def own_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def show(label: str, rows: int, figure: Measured) -> None:
    print(
        f"  {label:<44} {figure.seconds:7.1f} s  {rows / figure.seconds:>11,.0f} rows/s  "
        f"peak {figure.peak_mib:6,.0f} MiB  (load {figure.load})"
    )


def prepare(cli: list[str], env: dict[str, str]) -> None:
    """A fresh database with an agreement covering the kinds imported (every import needs one)."""
    subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*cli, "register_agreement", "--reference", "BENCH-1", "--name", "Benchmark data (made up)",
         "--partner", "Benchmark", "--purpose", "Benchmark of imports", "--lawful-basis", "public_task",
         "--kind", "school_attendance", "--kind", "custody_and_supervision", "--start", "2000-01-01"],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def warm_up(cli: list[str], python: list[str], env: dict[str, str], workdir: Path, received: list[str]) -> None:
    """Import a small file once, and run the engine's script on it, so that both start with compiled modules."""
    small = workdir / "warm-up" / "school_attendance.csv"
    small.parent.mkdir()
    in_child("write_attendance", small, 100, env)
    script = BASELINE_CSV.format(
        root=str(ROOT), path=str(small), out=str(small) + ".parquet", received=str(RECEIVED_ON)
    )
    measure([*python, "-c", script], env=env)
    measure(
        [*cli, "import", "--kind", "school_attendance", "--profile", "synthetic-county", str(small), "--no-progress",
         *received],
        env=env,
    )  # fmt: skip


CHECK_LINES = """
import duckdb
connection = duckdb.connect()
wrong, rows = connection.execute(
    "SELECT count(*) FILTER (WHERE source_line <> CAST(substr(source_record_id, 2) AS BIGINT) + 2), count(*) "
    "FROM read_parquet('{pattern}')"
).fetchall()[0]
print(f"  line numbers: {{rows - wrong:,}} of {{rows:,}} stored rows have their record's line")
"""


def check_lines(folder: Path, env: dict[str, str]) -> None:
    """Row R<i> of the made-up file is record i + 2 (the header is line 1): check every stored row's source_line."""
    code = CHECK_LINES.format(pattern=str(folder / "*" / "data.parquet"))
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def in_child(function: str, path: Path, rows: int, env: dict[str, str]) -> None:
    """Call this module's `function(path, rows)` in a child process (keeps this process's memory small)."""
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import bench_ingest as b; "
    code += f"from pathlib import Path; b.{function}(Path({str(path)!r}), {int(rows)})"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV rows (1,000,000 and 10,000,000 are the goal)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="XLSX rows (0 to skip)")
    parser.add_argument("--policy", default="reject", choices=["reject", "quarantine"])
    parser.add_argument("--row-path", action="store_true", help="also time the row-by-row path (INGEST_COLUMNAR off)")
    parser.add_argument("--spark", action="store_true", help="also time the import on local Spark (--engine spark)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        WHOLEFAMILY_VAR_DIR=str(workdir / "var"),
        WHOLEFAMILY_DATA_DIR=str(workdir / "var" / "data"),
        PYTHONPATH=str(ROOT),
        # Compiled modules cached in the temporary folder, as an installed service has them (not in the venv).
        PYTHONPYCACHEPREFIX=str(workdir / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = [sys.executable]
    cli = [*python, "-m", "wholefamily.cli"]
    try:
        prepare(cli, env)
        received = ["--received-on", RECEIVED_ON.isoformat()]
        if options.rows:
            csv_path = workdir / "school_attendance.csv"
            started = time.perf_counter()
            in_child("write_attendance", csv_path, options.rows, env)
            size = csv_path.stat().st_size
            print(
                f"CSV: {options.rows:,} rows, {size / 1e6:,.1f} MB (written in {time.perf_counter() - started:.1f} s)"
            )
            out = workdir / "duckdb-alone.parquet"
            script = BASELINE_CSV.format(root=str(ROOT), path=str(csv_path), out=str(out), received=str(RECEIVED_ON))
            warm_up(cli, python, env, workdir, received)
            engine = measure([*python, "-c", script], env=env)
            product = measure(
                [*cli, "import", "--kind", "school_attendance", "--profile", "synthetic-county", str(csv_path),
                 "--policy", options.policy, "--no-progress", *received],
                env=env,
            )  # fmt: skip
            show("DuckDB alone (CSV to Parquet, same checks)", options.rows, engine)
            show("wholefamily import (columnar)", options.rows, product)
            print(f"  ratio import / DuckDB alone: {product.seconds / engine.seconds:.2f}")
            print(f"  DuckDB alone: {engine.output}")
            print("  import: " + product.output.replace("\n", "\n          "))
            check_lines(workdir / "var" / "data" / "datasets" / "school_attendance", env)
            if options.spark:
                # The same file on local Spark, into a database and store of its own (the file is new to it). The
                # time includes starting the JVM; the peak is the larger of the Python process and the JVM.
                spark_env = {**env, "WHOLEFAMILY_VAR_DIR": str(workdir / "var-spark")}
                spark_env["WHOLEFAMILY_DATA_DIR"] = str(workdir / "var-spark" / "data")
                prepare(cli, spark_env)
                on_spark = measure(
                    [*cli, "import", "--engine", "spark", "--kind", "school_attendance", "--profile",
                     "synthetic-county", str(csv_path), "--policy", options.policy, "--no-progress", *received],
                    env=spark_env,
                )  # fmt: skip
                show("wholefamily import on local Spark", options.rows, on_spark)
                print(f"  ratio Spark import / DuckDB alone: {on_spark.seconds / engine.seconds:.2f}")
            if options.row_path:
                row_env = {**env, "WHOLEFAMILY_INGEST_COLUMNAR": "0", "WHOLEFAMILY_VAR_DIR": str(workdir / "var-rows")}
                row_env["WHOLEFAMILY_DATA_DIR"] = str(workdir / "var-rows" / "data")
                prepare(cli, row_env)
                rows_path = measure(
                    [*cli, "import", "--kind", "school_attendance", "--profile", "synthetic-county", str(csv_path),
                     "--policy", options.policy, "--no-progress", *received],
                    env=row_env,
                )  # fmt: skip
                show("wholefamily import (row by row)", options.rows, rows_path)
            csv_path.unlink()
        if options.xlsx_rows:
            xlsx_path = workdir / "custody.xlsx"
            started = time.perf_counter()
            in_child("write_custody_workbook", xlsx_path, options.xlsx_rows, env)
            print(
                f"XLSX: {options.xlsx_rows:,} rows, {xlsx_path.stat().st_size / 1e6:,.1f} MB "
                f"(written in {time.perf_counter() - started:.1f} s)"
            )
            engine = measure([*python, "-c", BASELINE_XLSX.format(path=str(xlsx_path))], env=env)
            product = measure(
                [*cli, "import", "--kind", "custody_and_supervision", "--profile", "probation-case-export",
                 str(xlsx_path), "--policy", options.policy, "--no-progress", *received],
                env=env,
            )  # fmt: skip
            show("openpyxl read-only reading alone", options.xlsx_rows, engine)
            show("wholefamily import", options.xlsx_rows, product)
            print(f"  ratio import / openpyxl alone: {product.seconds / engine.seconds:.2f}")
            print("  import: " + product.output.replace("\n", "\n          "))
        print(f"peak memory of this process (counted in each child's): {own_peak_mib():,.0f} MiB")
        return 0
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
