"""The wheel carries everything an installed Casebook needs, without the source tree.

Builds the wheel once (a few seconds; pip fetches hatchling for the isolated
build from the configured index), so this module is the slowest outside the
browser tests.
"""

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

SHIPPED = [
    "casebook/templates/base.html",
    "casebook/templates/cases/case.html",
    "casebook/templates/errors/error.html",
    "casebook/static/css/casebook.css",
    "casebook/static/js/casebook.js",
    "casebook/static/favicon.svg",
    "casebook/cases_library/online-vigilantes.md",
    "casebook/data/support-uk.yaml",
]


def _clean_env() -> dict[str, str]:
    """The environment without settings that could point the app back at the repository."""
    return {
        key: value for key, value in os.environ.items()
        if not key.startswith("CASEBOOK_") and key not in {"PYTHONPATH", "FLASK_APP"}
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        cwd=out, capture_output=True, text=True, timeout=300, env=_clean_env(), check=False,
    )
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout}\n{result.stderr}"
    [built] = out.glob("casebook-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_wheel_contains_templates_static_cases_data_and_migrations(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    for name in SHIPPED:
        assert name in names, f"{name} is not in {wheel.name}"
    migrations = [n for n in names if n.startswith("casebook/migrations/versions/0001")]
    assert migrations and all(n.endswith(".py") for n in migrations)
    assert "casebook/migrations/env.py" in names
    # Every case in the repository ships, and nothing from the tests does.
    for path in (ROOT / "cases").glob("*.md"):
        assert f"casebook/cases_library/{path.name}" in names
    assert not [n for n in names if n.startswith("tests/")]


def _run(unpacked: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``code`` with the unpacked wheel first on sys.path and the repository removed.

    The test venv has Casebook installed in editable mode, which puts the
    repository on sys.path; taking it off proves the wheel alone is enough.
    """
    prelude = textwrap.dedent(f"""\
        import os, sys
        repo = os.path.realpath({str(ROOT)!r})
        sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.getcwd()) != repo]
        sys.path.insert(0, {str(unpacked)!r})
    """)
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=_clean_env(), check=False,
    )


def test_installed_package_finds_its_resources_inside_itself(unpacked, tmp_path):
    result = _run(unpacked, """
        import json
        import casebook
        from casebook.paths import resource_dir
        print(json.dumps({
            "package": casebook.__file__,
            "templates": str(resource_dir("templates")),
            "static": str(resource_dir("static")),
            "cases": str(resource_dir("cases")),
        }))
    """, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    inside = unpacked.resolve()
    for key in ("package", "templates", "static", "cases"):
        assert Path(found[key]).resolve().is_relative_to(inside), (key, found[key])
    assert Path(found["templates"]).name == "templates"
    assert Path(found["cases"]).name == "cases_library"


def test_installed_package_serves_its_shipped_cases(unpacked, tmp_path):
    """Migrate, import the bundled cases and read one, all from the wheel's files."""
    database = tmp_path / "installed.sqlite3"
    result = _run(unpacked, f"""
        import json
        from casebook import create_app, migrate
        app = create_app({{
            "TESTING": True, "SECRET_KEY": "x", "RATELIMIT_STORAGE_URI": "memory://",
            "DATABASE_URL": "sqlite:///{database}",
        }})
        migrate.upgrade(app.extensions["casebook.engine"])
        imported = app.test_cli_runner().invoke(args=["import-cases"])
        client = app.test_client()
        page = client.get("/cases/online-vigilantes/read")
        css = client.get("/static/css/casebook.css")
        print(json.dumps({{
            "import": imported.output, "status": page.status_code,
            "page": page.get_data(as_text=True), "css": css.status_code,
        }}))
    """, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert "4 new" in found["import"]
    assert "cases_library" in found["import"]
    assert found["status"] == 200
    assert "Online vigilantes" in found["page"]
    assert "Samaritans" in found["page"]
    assert found["css"] == 200
