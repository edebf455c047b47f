"""``framing`` and ``python -m framing``: start the command line.

Start-up imports scikit-learn, pandas and NLTK, hundreds of thousands of
objects and no garbage; the cyclic garbage collector spent ~0.3 s of every
command's start walking them.  So the collector is paused while they are
imported, and what was imported is then frozen out of its sight (which also
keeps those pages shared with forked batch workers).
"""

import gc
import sys


def main() -> int:
    gc.disable()
    try:
        import framing.scoring  # noqa: F401 - the heavy imports nearly every command needs
        from framing.cli import main as run
    finally:
        gc.enable()
    gc.freeze()
    return run()


if __name__ == "__main__":
    sys.exit(main())
