"""The models of `search` (issue 14; filled by its work package)."""
