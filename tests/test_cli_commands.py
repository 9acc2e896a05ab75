"""The command registry: every command is listed by --help and built only when it is used."""

from __future__ import annotations

import json
import subprocess
import sys

from strategease.cli.app import COMMANDS


def _modules_after(args: list[str]) -> tuple[int, list[str]]:
    code = (
        "import json, sys\n"
        "from strategease.cli.app import run\n"
        f"status = run({args!r})\n"
        "sys.stdout.flush()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('strategease'))), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return done.returncode, json.loads(done.stderr.strip().splitlines()[-1])


def test_root_help_lists_every_command_with_its_one_line_help(cli) -> None:
    result = cli("--help")
    assert result.code == 0
    listed = result.out.split("Commands:", 1)[1]
    for name, (_, short_help) in COMMANDS.items():
        assert f"{name}  " in listed and short_help in listed, name


def test_root_help_builds_no_command() -> None:
    _, modules = _modules_after(["--help"])
    assert "strategease.cli.app" in modules
    command_modules = {target.split(":")[0] for target, _ in COMMANDS.values()}
    assert not command_modules & set(modules)


def test_a_command_builds_only_itself() -> None:
    _, modules = _modules_after(["schema"])
    assert "strategease.cli.catalogue" in modules
    assert "strategease.cli.report" not in modules and "strategease.cli.evidence" not in modules


def test_every_registered_command_builds_and_keeps_its_name_and_listing(cli) -> None:
    import typer.main

    from strategease.cli.app import app

    group = typer.main.get_command(app)
    for name, (_, short_help) in COMMANDS.items():
        command = group.get_command(None, name)  # type: ignore[attr-defined]
        assert command is not None and command.name == name
        assert command.get_short_help_str(200) == short_help
        assert cli(name, "--help").code == 0


def test_unknown_command_suggests_a_registered_one(cli) -> None:
    result = cli("selec", "scope.yaml")
    assert result.code == 2
    assert "Did you mean 'select'?" in result.err
