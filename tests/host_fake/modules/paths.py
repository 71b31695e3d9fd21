"""Stand-in for modules/paths.py: ``data_path`` (set by the test)."""

data_path = "."
