"""State files readable by their owner only: the state directory holds the connected
app's secret, the stand-in org's CA key and the tokens' ciphertext."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def keep_private(state_dir: Path) -> None:
    """Everything this process creates from now on is owner-only (umask), and what an
    earlier run left readable to others (0644 files) is made owner-only too."""
    os.umask(0o077)
    state_dir.mkdir(parents=True, exist_ok=True)
    for path in [state_dir, *state_dir.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        private = 0o700 if path.is_dir() else mode & 0o700
        if mode != private:
            path.chmod(private)
