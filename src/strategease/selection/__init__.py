"""The selection: scope, scoring (the method), bundle, ratings, partners, stability, compare and the
result models. Imports catalogue/ and plumbing, never render/ or cli/."""
