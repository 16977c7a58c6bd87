from flask import Blueprint, current_app, render_template, send_from_directory
from sqlalchemy import func, select

from casebook.cases.models import Case
from casebook.cases.service import LIBRARY
from casebook.db import get_session

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    case_count = get_session().scalar(select(func.count()).select_from(Case).where(LIBRARY))
    return render_template("main/home.html", case_count=case_count)


@bp.route("/support")
def support():
    return render_template("main/support.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own; answer with the SVG icon, not a 404."""
    return send_from_directory(current_app.static_folder, "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)
