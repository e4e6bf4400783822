"""The `wholefamily` command: Django's management commands under the product's name.

`wholefamily --help` lists the service's own commands first, grouped by the commissioning cycle (understand, plan,
do, review), then Django's; `wholefamily COMMAND --help` explains one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The service's commands by the stage of the cycle they serve (README "The command line"). A command of ours that is
# in no group is listed under "Running the service" so that none is ever hidden.
CYCLE: dict[str, tuple[str, ...]] = {
    "Understand: take in agency data, link it, find the families": (
        "register_agreement",
        "import",
        "datasets",
        "import_report",
        "link",
        "linkage_accuracy",
        "dedupe",
        "identify",
    ),
    "Plan: money and capacity": ("funding",),
    "Do: the families on the programme": ("import_cases",),
    "Review: outcomes, claims, savings and impact": ("outcomes", "claims", "savings", "unit_costs", "impact"),
    "Running the service": (
        "serve",
        "jobs",
        "db_worker",
        "verify_audit",
        "retention",
        "subject_access",
        "pseudonymise",
        "reidentify",
        "createsuperuser",
        "setup_demo",
        "load_demo_county",
        "synth",
        "contract_docs",
    ),
}
OUR_PACKAGE = "wholefamily"


def _first_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 100 else line[:97].rsplit(" ", 1)[0] + "..."


def service_help() -> str:
    """The help `wholefamily --help` prints: our commands by the cycle, with what each does, then Django's."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = get_commands()  # name -> app (our apps are wholefamily.<app>)
    ours = {name for name, app in commands.items() if app.startswith(OUR_PACKAGE)} | {"db_worker"}
    grouped = {name for names in CYCLE.values() for name in names}
    groups = dict(CYCLE)
    left_over = tuple(sorted(ours - grouped))
    if left_over:
        groups["Running the service"] = (*groups["Running the service"], *left_over)
    lines = ["Usage: wholefamily COMMAND [options]    (wholefamily COMMAND --help explains one)", ""]
    for title, names in groups.items():
        present = [name for name in names if name in commands]
        if not present:
            continue
        lines.append(f"{title}:")
        for name in present:
            description = _first_line(str(load_command_class(commands[name], name).help or ""))
            lines.append(f"  {name:<18} {description}")
        lines.append("")
    others = sorted(name for name in commands if name not in ours)
    lines.append("Django's own commands (database, users, static files):")
    width = 0
    row: list[str] = []
    for name in others:
        if width + len(name) + 2 > 100 and row:
            lines.append("  " + ", ".join(row))
            row, width = [], 0
        row.append(name)
        width += len(name) + 2
    if row:
        lines.append("  " + ", ".join(row))
    return "\n".join(lines) + "\n"


def _bytecode_outside_the_clone() -> None:
    """Python's bytecode caches go under <var>/pycache, not beside the sources (a command writes nothing into the
    working tree); a PYTHONPYCACHEPREFIX the user set wins."""
    if sys.pycache_prefix is None:
        var_dir = os.environ.get("WHOLEFAMILY_VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
        sys.pycache_prefix = str(Path(var_dir) / "pycache")


def main(argv: list[str] | None = None) -> int:
    _bytecode_outside_the_clone()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "wholefamily"
    if len(args) == 1 or args[1:] in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(service_help())
        return 0
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
