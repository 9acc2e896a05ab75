"""The CI gate works as documented: the pre-commit hooks, scope detection, `check` and `schema --scope`."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

README = ROOT / "README.md"
EXAMPLE_SCOPE = ROOT / "examples" / "delirium-scope.yaml"


def readme_layer() -> str:
    """The README's own example layer (the `org/catalogue.yaml` block)."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(# org/catalogue\.yaml.*?)```", text, re.S)
    assert match, "README has no org/catalogue.yaml block"
    return match.group(1)


def readme_precommit_hooks() -> list[dict[str, object]]:
    """The hooks of the README's .pre-commit-config.yaml example."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(repos:.*?)```", text, re.S)
    assert match, "README has no .pre-commit-config.yaml block"
    config = yaml.safe_load(match.group(1))
    return config["repos"][0]["hooks"]  # type: ignore[no-any-return]


def _files_for(hook: dict[str, object], repo: Path) -> list[str]:
    """What pre-commit would pass to HOOK: the tracked files matching its 'files' pattern."""
    tracked = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    pattern = re.compile(str(hook.get("files", "")))
    return sorted(f for f in tracked if pattern.search(f))


def _executable() -> str:
    found = shutil.which("strategease", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the strategease console script is not installed next to this Python")
    return found


def test_precommit_hooks_pass_on_a_repository_with_a_workflow_a_scope_and_the_readme_layer(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n")
    (repo / "org").mkdir()
    (repo / "org" / "catalogue.yaml").write_text(readme_layer())
    (repo / "scopes").mkdir()
    shutil.copy(EXAMPLE_SCOPE, repo / "scopes" / "delirium-scope.yaml")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)

    shipped = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    exe = _executable()
    for used in readme_precommit_hooks():
        hook = {**shipped[str(used["id"])], **used}
        args = [str(a) for a in hook.get("args", [])]  # type: ignore[attr-defined]
        argv = [exe, *shlex.split(str(hook["entry"]))[1:], *args]
        if hook.get("pass_filenames", True):
            files = _files_for(hook, repo)
            if not files:
                continue
            argv += files
        done = subprocess.run(argv, cwd=repo, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{hook['id']}: {argv}\n{done.stdout}{done.stderr}"
        assert "site-packages" not in done.stdout + done.stderr
        assert str(ROOT / "data") not in done.stdout + done.stderr


def test_validate_hook_never_takes_the_passed_files_as_the_base() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["strategease-validate"]["pass_filenames"] is False


def test_readme_layer_passes_strict_and_its_consequences_sit_at_its_own_lines(cli, tmp_path: Path,
                                                                               monkeypatch) -> None:
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "catalogue.yaml").write_text(readme_layer())
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "--strict", "--catalogue", "org/", "--format", "github")
    assert result.code == 0, result.out + result.err
    annotations = [line for line in result.out.splitlines() if line.startswith("::")]
    assert annotations, "retiring a shipped entry is reported as a note"
    assert all("file=org/catalogue.yaml" in line for line in annotations), annotations
    assert any(line.startswith("::notice") and "retired-drops-links" in line for line in annotations)


def test_validate_recognises_a_scope_and_says_what_to_run(cli) -> None:
    result = cli("validate", EXAMPLE_SCOPE)
    assert result.code == 1
    findings = [line for line in result.out.splitlines() if ": error:" in line]
    assert len(findings) == 1, result.out
    assert "scope file" in findings[0] and "strategease check" in findings[0]


def test_check_accepts_a_scope_and_lists_problems_of_a_bad_one(cli, tmp_path: Path) -> None:
    ok = cli("check", EXAMPLE_SCOPE)
    assert ok.code == 0, ok.err
    assert "ok (5 determinant(s))" in ok.out
    bad = tmp_path / "bad-scope.yaml"
    bad.write_text(EXAMPLE_SCOPE.read_text().replace("tdf.knowledge", "tdf.knowlege"))
    result = cli("check", EXAMPLE_SCOPE, bad)
    assert result.code == 1
    assert "bad-scope.yaml: invalid" in result.out
    assert "did you mean 'tdf.knowledge'" in result.err
    assert cli("check", tmp_path / "missing.yaml").code == 2


def test_check_recognises_a_catalogue_file(cli, tmp_path: Path) -> None:
    layer = tmp_path / "layer.yaml"
    layer.write_text(readme_layer())
    result = cli("check", layer)
    assert result.code == 1
    assert "catalogue file" in result.err and "validate --catalogue" in result.err
    assert result.err.count("error:") == 1


def test_scope_schema_is_current_and_accepts_the_example(cli) -> None:
    result = cli("schema", "--scope")
    assert result.code == 0
    shipped = (ROOT / "schema" / "scope.schema.json").read_text(encoding="utf-8")
    assert result.out == shipped, "schema/scope.schema.json is stale: run 'strategease schema --scope -o ...'"
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(shipped))
    doc = yaml.safe_load(EXAMPLE_SCOPE.read_text())
    assert [e.message for e in validator.iter_errors(doc)] == []
    doc["determinants"][0]["kind"] = "barier"
    assert list(validator.iter_errors(doc)), "a misspelt kind is rejected"


def test_layer_consequences_keep_only_what_the_layers_cause() -> None:
    from strategease.catalogue.findings import Finding, Report, Severity, layer_consequences

    old = Finding("/pkg/data/d.yaml", 5, 3, Severity.warning, "no-route", "reaches no strategy", "tdf.x")
    new = Finding("/pkg/data/d.yaml", 9, 3, Severity.warning, "no-route", "reaches no strategy", "tdf.y")
    own = Finding("org/layer.yaml", 4, 5, Severity.warning, "orphan", "no link", "org.card")
    base = Report(files=["/pkg/data/d.yaml"], findings=[old])
    layered = Report(files=["/pkg/data/d.yaml", "org/layer.yaml"], findings=[old, new, own])
    kept = layer_consequences(layered, base).findings
    assert own in kept and old not in kept
    moved = [f for f in kept if f.entry == "tdf.y"]
    assert moved and moved[0].path == "org/layer.yaml" and "line 9" in moved[0].message
