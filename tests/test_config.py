"""Settings from the environment."""

from casebook import create_app


def test_instance_path_from_environment_holds_the_generated_secret(monkeypatch, tmp_path):
    folder = tmp_path / "instance-here"
    monkeypatch.setenv("CASEBOOK_INSTANCE_PATH", str(folder))
    monkeypatch.delenv("CASEBOOK_SECRET_KEY", raising=False)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.instance_path == str(folder)
    assert (folder / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    assert (folder / "secret_key").stat().st_mode & 0o777 == 0o600
    # A second start reuses the key, so sessions survive a restart.
    again = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    for each in (app, again):
        each.extensions["casebook.engine"].dispose()


def test_proxy_count_makes_rate_limits_see_the_forwarded_client(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEBOOK_PROXY_COUNT", "1")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "k"})

    @app.route("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr

    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "203.0.113.9"
    app.extensions["casebook.engine"].dispose()
