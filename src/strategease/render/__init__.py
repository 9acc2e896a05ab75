"""Outputs: one module per output of each command (select, report, compare, diff, validate), the
report's document model and its templates. Imports selection/, catalogue/ and plumbing."""
