"""The catalogue: staged loading, models, YAML reading, cache, findings, schema, browsing, import of
link tables, diff, and reachability. Imports plumbing only."""
