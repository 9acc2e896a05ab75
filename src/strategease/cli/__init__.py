"""The command line: the app (group, lazy commands, error boundary), one module per command family,
options shared by all commands, and the interactive scope writer. Imports everything below it."""
