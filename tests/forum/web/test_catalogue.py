"""Every string a page or a message can show has its Urdu translation: the catalogue is checked
against what the code marks for translation today (the same extraction `docs/pages.md`
describes), so a new string without its translation fails here, not on her phone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "translations" / "ur" / "LC_MESSAGES" / "messages.po"


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def test_every_marked_string_has_its_urdu_translation(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "lazy_gettext", "-o", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with template.open("rb") as source:
        marked = {_key(m.id) for m in read_po(source) if m.id}
    with CATALOGUE.open("rb") as source:
        urdu = {_key(m.id): m for m in read_po(source, locale="ur") if m.id}

    missing = sorted(marked - urdu.keys())
    untranslated = sorted(
        key for key in marked & urdu.keys()
        if urdu[key].fuzzy or not all(urdu[key].string if isinstance(urdu[key].string, tuple)
                                      else [urdu[key].string])
    )
    assert (missing, untranslated) == ([], [])
