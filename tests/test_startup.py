"""Start-up: what the console script imports before it runs a command."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

_MAIN = "import sys; from strategease.cli.app import main; sys.argv[0] = 'strategease'; main()"


def _run(code: str, *args: str, plugins: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    if plugins is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = plugins
    return subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def _imported(log: str) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in log.splitlines() if line.startswith("import time:")}


def test_select_does_not_load_pydantic_plugin_discovery() -> None:
    """Plugins are off (PYDANTIC_DISABLE_PLUGINS), so Pydantic's loader, which imports importlib.metadata only to
    look them up, is never imported: a stand-in answers that there are none."""
    done = _run(_MAIN, "select", "examples/delirium-scope.yaml", "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    imported = _imported(done.stderr)
    assert "pydantic.main" in imported  # the log is read right
    assert "pydantic.plugin._loader" not in imported and "importlib.metadata" not in imported


def test_plugin_loader_stand_in_hands_over_when_plugins_are_on() -> None:
    """With plugins allowed (the user cleared the variable), the real loader is imported and asked."""
    code = ("import os, sys\n"
            "from strategease.cli import app\n"
            "app._defer_pydantic_plugin_loader()\n"
            "from pydantic import TypeAdapter\n"
            "os.environ['PYDANTIC_DISABLE_PLUGINS'] = '1'\n"
            "assert TypeAdapter(int).validate_python('3') == 3\n"
            "assert 'importlib.metadata' not in sys.modules\n"
            "os.environ.pop('PYDANTIC_DISABLE_PLUGINS')\n"
            "assert TypeAdapter(float).validate_python('2') == 2.0\n"
            "loader = sys.modules['pydantic.plugin._loader']\n"
            "assert loader.__file__.endswith('_loader.py') and isinstance(loader._plugins, dict)\n"
            "assert 'importlib.metadata' in sys.modules\n")
    done = _run(code)
    assert done.returncode == 0, done.stderr[-2000:]
