"""Check the real-text articles in realtext/texts/ against realtext/manifest.csv.

    python realtext/verify.py      # exit 0 when every text is present and unchanged
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.realtext import read_manifest, verify_texts  # noqa: E402

MANIFEST, TEXTS = ROOT / "realtext" / "manifest.csv", ROOT / "realtext" / "texts"
status = verify_texts(read_manifest(MANIFEST), TEXTS)
print(f"{len(status.present)} texts match {MANIFEST.name}; {len(status.missing)} missing, "
      f"{len(status.changed)} changed (in {TEXTS})")
for doc in status.changed:
    print(f"changed: {doc}")
sys.exit(0 if not status.missing and not status.changed else 1)
