#!/bin/sh
# Print the first Python interpreter that is at least 3.12 (Django 6.1 needs it).
# Order: $PYTHON, python3.12, python3.13, python3, then pyenv-installed versions whose
# shims are on PATH but not activated. Exits 1 with a clear message when there is none.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a working Python 3.12 or newer." >&2; exit 1
fi
for c in python3.12 python3.13 python3; do
  if command -v "$c" >/dev/null 2>&1 && ok "$c"; then command -v "$c"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for p in "$root"/versions/3.12*/bin/python3.12 "$root"/versions/3.13*/bin/python3.13; do
  if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
done
echo "socialdesk needs Python 3.12 or newer. Install it (Debian/Ubuntu: apt install python3.12 python3.12-venv) or set PYTHON=/path/to/python3.12." >&2
exit 1
