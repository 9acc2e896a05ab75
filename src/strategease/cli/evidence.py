"""The ``import-links`` (a link table -> a catalogue layer) and ``diff`` (compare catalogues) commands.

Thin commands: parse options, call one core function (:mod:`strategease.catalogue.importer`,
:mod:`strategease.catalogue.diff`), render, and turn the outcome into an exit code.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from strategease.cli.options import BaseOpt, CatalogueOpt
from strategease.cli.select import SelectMethod
from strategease.errors import MAX_PRINTED, more_line
from strategease.outputs import output_path
from strategease.safetext import one_line
from strategease.vocab import Evidence, LinkKind


class Shape(StrEnum):
    auto = "auto"
    long = "long"
    wide = "wide"


class Scale(StrEnum):
    auto = "auto"
    percent = "percent"
    fraction = "fraction"


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def import_links(
    file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="Link table: long (determinant, strategy, "
                                         "strength columns) or a wide matrix (determinants down the side, "
                                         "strategies across).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Layer file to write (YAML), in a directory that "
                                         "exists.", parser=output_path, show_default=False)],
    source_citation: Annotated[str, typer.Option("--source-citation", help="Citation of where the numbers come "
                                                 "from (written as the layer's source).", show_default=False)],
    source_id: Annotated[str | None, typer.Option("--source-id", help="Key for that source (default: made from "
                                                  "the citation, e.g. 'waltz2019').")] = None,
    from_framework: Annotated[str | None, typer.Option("--from-framework", help="Match the 'from' names only "
                                                       "in this framework (e.g. cfir1, tdf).")] = None,
    to_framework: Annotated[str | None, typer.Option("--to-framework", help="Match the 'to' names only in this "
                                                     "framework (e.g. eric).")] = None,
    kind: Annotated[LinkKind, typer.Option("--kind", help="Link kind to write.")] = LinkKind.addresses,
    evidence: Annotated[Evidence, typer.Option("--evidence", help="Kind of evidence behind the numbers.")
                        ] = Evidence.survey_of_experts,
    shape: Annotated[Shape, typer.Option("--shape", help="Table shape (auto: long if the header names "
                                         "determinant and strategy columns).")] = Shape.auto,
    scale: Annotated[Scale, typer.Option("--scale", help="How to read values (auto: percentages if any value "
                                         "has a % sign or is over 1, else fractions 0-1).")] = Scale.auto,
    skip_unmatched: Annotated[bool, typer.Option("--skip-unmatched", help="Leave out rows/columns whose names "
                                                 "match no catalogue entry (listed on stderr).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")] = False,
    catalogue: CatalogueOpt = None,
    base: BaseOpt = None,
) -> None:
    """Turn a CSV table of links (e.g. a CFIR-ERIC matching-tool export) into a catalogue layer.

    Names are matched to catalogue ids exactly, then ignoring case and punctuation. Nothing is
    written unless every name resolves (or --skip-unmatched). Imported links replace existing
    links with the same from/to/kind. Exit 0 written, 1 a problem in the table's content,
    2 unreadable/malformed file or bad option (including an existing output without --force).

    Example: strategease import-links matrix.csv -o waltz-matrix.yaml --from-framework cfir1
    --to-framework eric --source-citation "Waltz TJ et al. Implement Sci. 2019;14:42"
    """
    from strategease.catalogue.importer import (
        SCALE_WORDS,
        ImportOptions,
        build_import,
        read_table,
        render_overlay,
        skipped_lines,
        verify_overlay,
    )
    from strategease.cli.options import load_valid
    from strategease.outputs import write_atomic

    cat = load_valid(base, catalogue)
    table = read_table(file)
    options = ImportOptions(kind=kind, evidence=evidence, source_citation=source_citation, source_id=source_id,
                            from_framework=from_framework, to_framework=to_framework, shape=shape.value,
                            scale=scale.value, skip_unmatched=skip_unmatched)
    result = build_import(table, cat, options)
    skipped_text = skipped_lines(result)
    for line in skipped_text[:MAX_PRINTED]:
        sys.stderr.write(one_line(line) + "\n")
    sys.stderr.write(more_line(len(skipped_text)))
    if kind is LinkKind.addresses and evidence is not Evidence.survey_of_experts:
        sys.stderr.write(f"note: 'select --method cfir-eric' counts only survey-of-experts links, not "
                         f"{evidence.value} ones\n")
    text = render_overlay(result, digest=table.sha256)
    verify_overlay(text, base, catalogue or [])
    write_atomic(output, text.encode("utf-8"), force=force)
    skipped = f"; skipped {len(result.skipped)} unmatched name(s)" if result.skipped else ""
    transposed = ", transposed" if result.transposed else ""
    sys.stderr.write(one_line(
        f"wrote {output}: {len(result.links)} link(s) from {file} ({result.shape} table, values read as "
        f"{SCALE_WORDS[result.scale]}{transposed}); {result.reweighted} re-weight existing links{skipped}") + "\n")


def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="Catalogue file or directory, or a git revision: "
                                       "'REV:' or 'git:REV' (its data/*.yaml), 'REV:PATH'.", show_default=False)],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The same, for the newer catalogue.",
                                       show_default=False)],
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format (markdown fits a pull-request "
                                            "comment).")] = DiffFormat.text,
    scope: Annotated[Path | None, typer.Option("--scope", help="Also show how this scope's top N strategies change.",
                                               show_default=False)] = None,
    method: Annotated[SelectMethod, typer.Option("--method", "-m", help="Selection method for --scope.")
                      ] = SelectMethod.default,
    top: Annotated[int, typer.Option("--top", "-n", min=0, metavar="N", help="How many of the scope's best "
                                     "strategies to compare (0 = all, as in every command).")] = 10,
    layered: Annotated[bool, typer.Option("--layered", help="OLD and NEW are layers: lay each over the base "
                                          "(shipped, or --base) before comparing.")] = False,
    base: BaseOpt = None,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when the catalogues differ (like "
                                            "git diff --exit-code).")] = False,
) -> None:
    """Compare two catalogues: entries added, removed, retired, renamed, changed; links added,
    removed, re-weighted; sources; and with --scope the effect on that scope's ranking.

    Exit 0 whether or not they differ (1 with --exit-code when they do); 1 if either catalogue
    is invalid; 2 if one cannot be read (missing path, unknown git revision).

    Example: strategease diff HEAD~1: data/ --format markdown --scope examples/delirium-scope.yaml
    """
    from strategease.catalogue.diff import diff_catalogues, load_side
    from strategease.render.diff import RENDERERS
    from strategease.selection.compare import scope_effect

    old_side = load_side(old, layered=layered, base=base)
    new_side = load_side(new, layered=layered, base=base)
    result = diff_catalogues(old_side, new_side)
    if scope is not None:
        result.scope = scope_effect(scope, old_side, new_side, method.value, top, result.reids())
    sys.stdout.write(RENDERERS[fmt.value](result))
    raise typer.Exit(1 if exit_code and result.differs else 0)
