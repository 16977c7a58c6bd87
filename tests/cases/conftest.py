import pytest

from tests.cases.casefiles import copy_repo_cases
from tests.conftest import db


@pytest.fixture
def case_dir(tmp_path):
    """A folder holding copies of the repository's four cases, free to change."""
    return copy_repo_cases(tmp_path / "cases")


@pytest.fixture
def run_import(app):
    """``casebook import-cases DIR`` as an operator runs it; returns Click's result."""
    runner = app.test_cli_runner()

    def run(folder):
        return runner.invoke(args=["import-cases", str(folder)])

    return run


@pytest.fixture
def fresh_session(app):
    """``with fresh_session() as session:`` a new plain session (``db``), so reads
    see what was committed, not a cache."""
    return lambda: db(app)
