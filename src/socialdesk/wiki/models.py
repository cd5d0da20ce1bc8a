"""The models of `wiki` (issue 14; filled by its work package)."""
