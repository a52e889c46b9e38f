"""The real entry point, `python -m rechain.cli`, in a child process."""

import subprocess
import sys


def rechain_process(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "rechain.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
