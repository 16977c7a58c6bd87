from sqlalchemy import func, select

from casebook import migrate
from casebook.accounts.models import User
from casebook.cli import DEMO_ACCOUNTS, DEMO_PASSWORD
from casebook.db import make_engine
from tests.accounts.pages import create_account, find_user, text_of, user_count
from tests.conftest import sign_in


def create_admin(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=["create-admin", *args], **kwargs)


def test_create_admin_makes_a_site_administrator(app):
    result = create_admin(app, "--email", "boss@example.org", "--password", "a long password")

    assert result.exit_code == 0, result.output
    assert "boss@example.org is a site administrator." in result.output
    boss = find_user(app, "boss@example.org")
    assert boss.is_admin is True
    assert boss.password_hash.startswith("$argon2id$")
    client = app.test_client()
    assert sign_in(client, email="boss@example.org", password="a long password").status_code == 302
    assert "Site administrator" in text_of(client.get("/account/"))


def test_create_admin_reads_the_password_from_the_environment(app):
    result = create_admin(app, "--email", "boss@example.org",
                          env={"CASEBOOK_ADMIN_PASSWORD": "a long password"})

    assert result.exit_code == 0, result.output
    assert find_user(app, "boss@example.org").is_admin is True


def test_create_admin_promotes_an_existing_account(app):
    create_account(app, email="Ann@Example.org", name="Ann Example")
    assert find_user(app, "ann@example.org").is_admin is False

    result = create_admin(app, "--email", "ann@example.org", "--password", "a long password")

    assert result.exit_code == 0, result.output
    ann = find_user(app, "ann@example.org")
    assert ann.is_admin is True
    assert ann.display_name == "Ann Example"
    assert user_count(app) == 1


def test_create_admin_refuses_a_short_password(app):
    result = create_admin(app, "--email", "boss@example.org", "--password", "too short")

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert find_user(app, "boss@example.org") is None


def test_create_admin_does_not_promote_with_a_short_password(app):
    create_account(app, email="ann@example.org")

    result = create_admin(app, "--email", "ann@example.org", "--password", "too short")

    assert result.exit_code != 0
    assert find_user(app, "ann@example.org").is_admin is False


def test_seed_demo_creates_the_two_demo_accounts_once(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert user_count(app) == 2
    for email, name in DEMO_ACCOUNTS:
        user = find_user(app, email)
        assert user.display_name == name
        assert user.is_admin is False
        assert email in first.output
    client = app.test_client()
    assert sign_in(client, email=DEMO_ACCOUNTS[0][0], password=DEMO_PASSWORD).status_code == 302


def test_the_test_database_starts_with_no_accounts(app):
    assert user_count(app) == 0


def test_migrating_a_fresh_database_creates_no_accounts(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(User)) == 0
    finally:
        engine.dispose()


def test_db_upgrade_command_creates_no_accounts(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert user_count(app) == 0
