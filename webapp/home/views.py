from flask import Blueprint, render_template

from webapp import get_services

blueprint = Blueprint("home", __name__, template_folder="templates")


@blueprint.get("/")
def index():
    variants = sorted(get_services().variants.values(), key=lambda v: v.name)
    return render_template("home/index.html", variants=variants)


@blueprint.get("/gezondheid")
def health():
    return {"status": "ok"}
