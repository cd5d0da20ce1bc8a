"""The models of `spaces` (issue 14; filled by its work package)."""
