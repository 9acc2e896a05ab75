"""`strategease diff`: two catalogue versions (paths or git revisions), every output format, --scope."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES

from strategease.catalogue.diff import Side, diff_catalogues, parse_spec, rank_moves
from strategease.catalogue.load import require_valid
from strategease.render.diff import RENDERERS, md_escape

DIFF = EXAMPLES / "diff"
EXPECTED = DIFF / "expected"
UPDATE = bool(os.environ.get("STRATEGEASE_UPDATE_GOLDEN"))


@pytest.fixture
def in_diff_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(DIFF)
    return DIFF


def _golden(name: str, actual: str) -> None:
    path = EXPECTED / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with STRATEGEASE_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden file; if the change is intended, regenerate with STRATEGEASE_UPDATE_GOLDEN=1")


def _side(path: Path) -> Side:
    return Side(path.name, require_valid([path]))


# --------------------------------------------------------------------------- what is found


def test_every_kind_of_change_is_found() -> None:
    diff = diff_catalogues(_side(DIFF / "old"), _side(DIFF / "new"))
    entries = {(e.section, e.id): e for e in diff.entries}
    assert entries[("strategies", "eric.build-a-coalition")].change == "added"
    assert entries[("strategies", "eric.mandate-change")].change == "removed"
    retired = entries[("strategies", "eric.visit-other-sites")]
    assert (retired.change, retired.replaced_by) == ("retired", "eric.access-new-funding")
    renamed = entries[("determinants", "cfir1.cost")]
    assert (renamed.change, renamed.old_name, renamed.name) == ("renamed", "Cost", "Costs")
    reid = entries[("strategies", "eric.data-experts")]
    assert (reid.change, reid.new_id) == ("re-id", "eric.use-data-experts")
    assert ("strategies", "eric.use-data-experts") not in entries  # not also reported as added
    changed = entries[("strategies", "eric.tailor-strategies")]
    assert changed.change == "changed" and [f.field for f in changed.fields] == ["description"]
    source = entries[("sources", "test-src")]
    assert source.fields[0].model_dump() == {"field": "citation", "old": "Test source.",
                                             "new": "Test source, 2nd edition."}
    assert entries[("sources", "new-survey")].change == "added"
    links = {(lk.from_, lk.to): lk for lk in diff.links}
    weighted = links[("cfir1.adaptability", "eric.tailor-strategies")]
    assert (weighted.change, weighted.old_strength, weighted.new_strength) == ("re-weighted", 0.35, 0.5)
    assert links[("cfir1.complexity", "eric.tailor-strategies")].change == "removed"
    assert links[("cfir1.cost", "eric.build-a-coalition")].change == "added"
    assert links[("cfir1.cost", "eric.visit-other-sites")].change == "removed"  # dropped with its retired end
    repointed = links[("cfir1.complexity", "eric.use-data-experts")]
    assert repointed.change == "changed" and "eric.data-experts is now eric.use-data-experts" in (repointed.note or "")
    assert ("cfir1.adaptability", "eric.promote-adaptability") not in links  # unchanged links are not listed
    assert [f.field for f in diff.catalogue] == ["version", "description"]
    # sorted by section order, then id; links by (from, to, kind)
    assert [lk.from_ + lk.to for lk in diff.links] == sorted(lk.from_ + lk.to for lk in diff.links)


def test_same_catalogue_has_no_differences(cli, in_diff_dir: Path) -> None:
    result = cli("diff", "old", "old/catalogue.yaml")
    assert result.code == 0
    assert result.out.splitlines()[1] == "no differences"
    assert cli("diff", "old", "old", "--exit-code").code == 0
    assert cli("diff", "old", "new").code == 0  # differences are not a failure...
    assert cli("diff", "old", "new", "--exit-code").code == 1  # ...unless asked, like git diff --exit-code


def test_reid_needs_a_unique_name_on_both_sides() -> None:
    old = require_valid([DIFF / "old"])
    new = require_valid([DIFF / "new"])
    twin = new.strategies["eric.use-data-experts"].model_copy(update={"id": "eric.use-data-experts-2"})
    new.strategies[twin.id] = twin
    diff = diff_catalogues(Side("old", old), Side("new", new))
    changes = {e.id: e.change for e in diff.entries if e.section == "strategies"}
    assert changes["eric.data-experts"] == "removed"
    assert changes["eric.use-data-experts"] == changes["eric.use-data-experts-2"] == "added"


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_output_matches_golden_file(cli, in_diff_dir: Path, fmt: str, suffix: str) -> None:
    result = cli("diff", "old", "new", "--format", fmt, "--scope", "scope.yaml", "--method", "cfir-eric")
    assert result.code == 0, result.err
    _golden(f"old-new.{suffix}", result.out)
    again = cli("diff", "old", "new", "--format", fmt, "--scope", "scope.yaml", "--method", "cfir-eric")
    assert again.out == result.out  # deterministic


def test_every_format_has_a_renderer() -> None:
    from strategease.cli.evidence import DiffFormat

    assert set(RENDERERS) == {f.value for f in DiffFormat}


def test_markdown_fits_a_pull_request_comment(cli, in_diff_dir: Path) -> None:
    out = cli("diff", "old", "new", "--format", "markdown").out
    first = out.splitlines()[0]
    assert first.startswith("**Catalogue diff** `old` (diff test catalogue 1.0) → `new` (diff test catalogue 1.1)")
    assert out.count("<details>") == out.count("</details>") == 5
    assert "barriers \\| per site &lt;b&gt;and&lt;/b&gt; per team" in out  # catalogue text cannot break the table
    width = None
    for line in out.splitlines():  # every row of a table has as many cells as its header
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        width = width or cells
        assert cells == width, line


def test_md_escape() -> None:
    assert md_escape("a | b\nc <script> & `x`") == "a \\| b c &lt;script&gt; &amp; \\`x\\`"
    assert md_escape("[click](https://evil.example)") == "\\[click\\](https://evil.example)"
    assert md_escape("a\\|b") == "a\\\\\\|b"  # the written backslash cannot swallow the cell's escape


def test_json_is_the_model(cli, in_diff_dir: Path) -> None:
    doc = json.loads(cli("diff", "old", "new", "--format", "json").out)
    assert doc["differs"] is True
    assert doc["summary"].startswith("catalogue metadata changed; sources: 1 added, 1 changed")
    assert doc["links"][0]["from"] == "cfir1.adaptability"
    assert doc["scope"] is None


# --------------------------------------------------------------------------- --scope


def test_scope_effect_on_the_ranking(cli, in_diff_dir: Path) -> None:
    doc = json.loads(cli("diff", "old", "new", "--format", "json", "--scope", "scope.yaml",
                         "--method", "cfir-eric").out)
    effect = doc["scope"]
    moves = {mv["id"]: (mv["change"], mv["old_rank"], mv["new_rank"], mv["old_score"], mv["new_score"])
             for mv in effect["moves"]}
    assert moves == {
        "eric.build-a-coalition": ("enter", None, 2, None, 60.0),  # new link, 60 %
        "eric.tailor-strategies": ("fall", 2, 4, 62.0, 50.0),  # 35 + 27 -> 50 (re-weighted, one link removed)
        "eric.visit-other-sites": ("leave", 4, None, 30.0, None),  # retired
        "eric.mandate-change": ("leave", 6, None, 10.0, None),  # removed
    }  # eric.data-experts -> eric.use-data-experts keeps rank 5 under its new id: no move
    assert effect["old_top"][0] == effect["new_top"][0] == "eric.promote-adaptability"
    default = json.loads(cli("diff", "old", "new", "--format", "json", "--scope", "scope.yaml").out)["scope"]
    assert default["method"] == "default" and default["moves"]


def test_scope_with_an_id_missing_from_one_side(cli, in_diff_dir: Path, tmp_path: Path) -> None:
    scope = tmp_path / "scope.yaml"
    scope.write_text((DIFF / "scope.yaml").read_text().replace("cfir1.cost", "cfir1.costs"))
    result = cli("diff", "old", "new", "--scope", scope)
    assert result.code == 1
    assert "unknown determinant 'cfir1.costs'" in result.err


def test_rank_moves_top_boundary() -> None:
    old = [(f"s{i}", f"S{i}", 10.0 - i, i + 1) for i in range(12)]
    new = [old[0], old[10], *old[1:10], old[11]]  # s10 jumps from 11th to 2nd
    new = [(sid, name, score, rank) for rank, (sid, name, score, _) in enumerate(new, 1)]
    moves = {mv.id: (mv.change, mv.old_rank, mv.new_rank) for mv in rank_moves(old, new, top=10)}
    assert moves["s10"] == ("enter", 11, 2)
    assert moves["s9"] == ("leave", 10, 11)
    assert moves["s1"] == ("fall", 2, 3)
    assert "s0" not in moves and "s11" not in moves


# --------------------------------------------------------------------------- sides: paths, git, layers


@pytest.mark.parametrize(("spec", "expected"), [
    ("HEAD~1:", ("HEAD~1", "data")),
    ("git:HEAD~1", ("HEAD~1", "data")),
    ("git:v0.1.0:org/", ("v0.1.0", "org")),
    ("main:data/strategies.yaml", ("main", "data/strategies.yaml")),
])
def test_parse_spec(spec: str, expected: tuple[str, str]) -> None:
    parsed = parse_spec(spec)
    assert not isinstance(parsed, Path)
    assert (parsed.rev, parsed.path) == expected


def test_parse_spec_prefers_existing_paths_and_refuses_options(in_diff_dir: Path) -> None:
    assert parse_spec("old") == Path("old")
    from strategease.errors import UsageError

    with pytest.raises(UsageError, match="not a usable git revision"):
        parse_spec("--output=x:")
    with pytest.raises(UsageError, match="inside the repository"):
        parse_spec("HEAD:../secrets")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    _git(root, "init", "-q")
    shutil.copy(DIFF / "old" / "catalogue.yaml", root / "data" / "catalogue.yaml")
    (root / "data" / "README.txt").write_text("not a catalogue file\n")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "v1.0")
    shutil.copy(DIFF / "new" / "catalogue.yaml", root / "data" / "catalogue.yaml")
    _git(root, "commit", "-q", "-am", "v1.1")
    monkeypatch.chdir(root)
    return root


def test_git_revisions_give_the_same_diff_as_paths(cli, repo: Path) -> None:
    by_path = json.loads(cli("diff", DIFF / "old", DIFF / "new", "--format", "json").out)
    for old, new in (("HEAD~1:", "HEAD:"), ("git:HEAD~1", "data"), ("HEAD~1:data/catalogue.yaml", "git:HEAD")):
        result = cli("diff", old, new, "--format", "json")
        assert result.code == 0, result.err
        doc = json.loads(result.out)
        assert (doc["entries"], doc["links"], doc["catalogue"]) == (by_path["entries"], by_path["links"],
                                                                   by_path["catalogue"])
        assert doc["old"]["spec"] == old
    doc = json.loads(cli("diff", "HEAD~1:", "HEAD:", "--format", "json").out)
    assert doc["old"]["files"] == ["HEAD~1:data/catalogue.yaml"]


def test_git_errors(cli, repo: Path) -> None:
    unknown = cli("diff", "nosuchrev:", "data")
    assert unknown.code == 2
    assert "git cat-file -t failed" in unknown.err and "Traceback" not in unknown.err
    # an invalid catalogue at a revision is named by revision and path
    (repo / "data" / "catalogue.yaml").write_text("strategies:\n  - id: Bad Id\n")
    _git(repo, "commit", "-q", "-am", "broken")
    broken = cli("diff", "HEAD:", "HEAD~1:")
    assert broken.code == 1
    assert "HEAD:data/catalogue.yaml:2:" in broken.err


def test_git_outside_a_repository(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = cli("diff", "HEAD~1:", "HEAD:")
    assert result.code == 2
    assert "git rev-parse --show-toplevel failed" in result.err


def test_missing_path(cli, in_diff_dir: Path) -> None:
    result = cli("diff", "old", "nowhere")
    assert result.code == 2
    assert "nowhere: catalogue file not found" in result.err


def test_layered_sides_are_laid_over_the_base(cli) -> None:
    base = EXAMPLES / "catalogues" / "valid" / "minimal.yaml"
    overlays = EXAMPLES / "overlays"
    result = cli("diff", "--layered", "--base", base, overlays / "conflict-layer.yaml", overlays / "org-layer.yaml",
                 "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    entries = {e["id"]: e for e in doc["entries"]}
    assert entries["org.pocket-card"]["change"] == "added"
    assert entries["eric.conduct-educational-meetings"]["fields"][0]["new"] == (
        "Monthly ward meetings run by the practice educator.")
    assert [(lk["to"], lk["change"], lk["new_strength"]) for lk in doc["links"]] == [
        ("org.pocket-card", "added", None), ("eric.access-new-funding", "re-weighted", 0.7)]
