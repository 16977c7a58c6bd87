from flask import Blueprint, render_template
from sqlalchemy import func, select

from casebook.cases.models import Case
from casebook.db import get_session

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    case_count = get_session().scalar(select(func.count()).select_from(Case))
    return render_template("main/home.html", case_count=case_count)


@bp.route("/support")
def support():
    return render_template("main/support.html")
