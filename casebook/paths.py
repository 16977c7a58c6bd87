"""Where the shipped resources live, in a source checkout and once installed.

The repository keeps ``templates/``, ``static/`` and ``cases/`` beside the
package; the wheel copies them inside it (see ``pyproject.toml``). Looking
inside the package first makes an installed, non-editable casebook work
without the source tree.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

_INSIDE_NAMES = {"templates": "templates", "static": "static", "cases": "cases_library"}


def resource_dir(name: str) -> Path:
    inside = PACKAGE_DIR / _INSIDE_NAMES[name]
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name
