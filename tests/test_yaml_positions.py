"""Where parsed YAML came from: positions of containers, keys and items, and the findings built on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES

from strategease.catalogue.load import load_catalogue
from strategease.catalogue.yamlio import PosDict, PosList, parse_yaml, position
from strategease.errors import UsageError

DOC = """\
title: demo
items:
  - id: a.one
    tags: [x, y]
  - plain
  - {id: a.two,   note: "quoted"}
nested:
  deeper:
    value: 3
"""


def test_positions_of_keys_items_and_containers() -> None:
    data = parse_yaml(DOC, "doc.yaml")
    assert isinstance(data, PosDict) and data.start == (1, 1)
    assert list(data.key_positions()) == [("title", (1, 1)), ("items", (2, 1)), ("nested", (7, 1))]
    assert data.pos_of("items") == (2, 1) and data.pos_of("missing") is None
    items = data["items"]
    assert isinstance(items, PosList) and items.start == (3, 3)
    assert [items.pos_of(i) for i in range(3)] == [(3, 5), (5, 5), (6, 5)]
    assert items.pos_of(3) is None and items.pos_of(-1) is None
    assert items[0].start == (3, 5) and items[0].pos_of("tags") == (4, 5)
    assert items[0]["tags"].start == (4, 11) and items[0]["tags"].pos_of(1) == (4, 15)
    assert items[2].start == (6, 5) and items[2].pos_of("note") == (6, 19)
    assert data["nested"].start == (8, 3) and data["nested"]["deeper"].pos_of("value") == (9, 5)


def test_position_follows_a_path_as_far_as_it_exists() -> None:
    data = parse_yaml(DOC, "doc.yaml")
    assert position(data, ()) == (1, 1)
    assert position(data, ("items", 0, "tags", 1)) == (4, 15)
    assert position(data, ("items", 2, "note")) == (6, 19)
    assert position(data, ("items", 1)) == (5, 5)
    assert position(data, ("items", 7, "id")) == (2, 1)  # no such item: the nearest known place
    assert position(data, ("items", 0, "nope")) == (3, 5)
    assert position(data, ("nested", "deeper", "value", "x")) == (9, 5)
    assert position("scalar", ("a",)) == (None, None)


def test_positions_far_down_and_far_right() -> None:
    wide = "{" + ", ".join(f"k{i}: {i}" for i in range(20000)) + "}\n"  # one line of ~190k characters
    data = parse_yaml("\n" * 70000 + "row: " + wide, "wide.yaml")
    inner = data["row"]
    last = list(inner.key_positions())[-1]
    assert last[0] == "k19999" and last[1] == (70001, 6 + wide.index("k19999"))
    assert inner.start == (70001, 6) and position(data, ("row", "k19999")) == last[1]


def test_equal_scalars_are_shared_and_keep_their_types() -> None:
    data = parse_yaml("- {id: a.b, n: 1, s: '1', f: 0.5}\n- {id: a.b, n: 1, s: '1', f: 0.5}\n", "s.yaml")
    first, second = data
    assert first["id"] is second["id"] and first["s"] is second["s"] and first["s"] == "1"
    assert first["n"] == 1 and type(first["n"]) is int and first["f"] == 0.5


def test_duplicate_key_error_names_both_places() -> None:
    with pytest.raises(UsageError) as caught:
        parse_yaml("top:\n  a: 1\n  b: 2\n  a: 3\n", "dup.yaml")
    err = caught.value
    assert (err.line, err.column) == (4, 3)
    assert "duplicate key 'a' (first defined on line 2)" in str(err)


def test_a_mapping_as_key_is_refused_where_it_starts() -> None:
    with pytest.raises(UsageError) as caught:
        parse_yaml("x: 1\n? {a: 1}\n: 2\n", "key.yaml")
    assert (caught.value.line, caught.value.column) == (2, 3)
    assert "a mapping key must be a plain scalar" in str(caught.value)


def test_findings_point_at_the_key_or_entry_as_written(tmp_path: Path) -> None:
    base = (EXAMPLES / "catalogues" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "sections: []\n"
        "links:\n"
        "  - from: tdf.knowledge\n"
        "    to: eric.conduct-educational-meetings\n"
        "    kind: addresses\n"
        "    evidence: expert-opinion\n"
        "    source: test-src\n"
        "    strenght: 0.5\n"
        "  - 7\n",
        encoding="utf-8")
    main = tmp_path / "main.yaml"
    main.write_text(base, encoding="utf-8")
    _, report = load_catalogue([main, extra])
    found = {(f.rule, f.line, f.column, f.message) for f in report.errors if f.path == str(extra)}
    assert ("schema", 1, 1, "unknown section 'sections'") in found
    assert ("schema", 8, 5, "unknown key 'strenght'") in found
    assert ("schema", 9, 5, "links[1] must be a mapping, not int") in found


@pytest.mark.parametrize("text, line, column", [
    ('strategies:\n  - name: "a\x07b"\n', 2, 13),
    ('title: "ééé€\x01"\n', 1, 13),  # libyaml counts bytes; the message counts characters
])
def test_forbidden_character_is_placed_and_named(text: str, line: int, column: int) -> None:
    with pytest.raises(UsageError) as caught:
        parse_yaml(text, "f.yaml")
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert "control characters are not allowed" in str(error) and "\n" not in str(error)


def test_second_document_is_named_plainly() -> None:
    with pytest.raises(UsageError) as caught:
        parse_yaml("a: 1\n---\nb: 2\n", "f.yaml")
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert "a second document starts here" in str(caught.value)
