"""``framing`` and ``python -m framing``: start the command line.

Each command imports what it needs when it runs (``framing.cli._IMPORTS``):
``framing --help`` imports little more than click, and ``framing score``
reads the model as arrays with NumPy, without scikit-learn.
"""

import sys


def _stop(number, frame):
    # SIGTERM/SIGHUP end framing as Ctrl-C does: what it was writing is
    # removed (framing.files), the user's files stay, "interrupted" is said.
    raise KeyboardInterrupt


def main() -> int:
    import signal

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _stop)
    try:
        from framing.cli import main as run
    except KeyboardInterrupt:  # Ctrl-C while the command line is still loading
        print("framing: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":
    sys.exit(main())
