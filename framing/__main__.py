"""``framing`` and ``python -m framing``: start the command line.

Each command imports what it needs when it runs (``framing.cli._IMPORTS``):
``framing --help`` imports little more than click, and ``framing score``
reads the model as arrays with NumPy, without scikit-learn.
"""

import sys


def main() -> int:
    try:
        from framing.cli import main as run
    except KeyboardInterrupt:  # Ctrl-C while the command line is still loading
        print("framing: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":
    sys.exit(main())
