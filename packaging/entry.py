"""One frozen program, two commands: the executable's name picks the CLI or the desktop app.

The spec builds `callshield` and `callshield-desktop` from this same script, sharing one folder of
libraries and models."""

import multiprocessing
import sys
from pathlib import Path


def main() -> int:
    name = Path(sys.executable).stem.lower()
    if name.startswith("callshield-desktop"):
        from desktop.app import run as desktop_run

        desktop_run()  # ends the process once the app has closed (see desktop.app.run)
    from verification.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not start the app again
    sys.exit(main())
