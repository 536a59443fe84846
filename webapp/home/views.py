from flask import Blueprint, redirect, url_for

blueprint = Blueprint("home", __name__, template_folder="templates")


@blueprint.get("/")
def index():
    return redirect(url_for("tasks.index"))


@blueprint.get("/gezondheid")
def health():
    return {"status": "ok"}
