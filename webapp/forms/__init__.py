"""Task forms: declarative definitions (forms/*.yaml), their catalog, validation and rendering."""
from flask import Blueprint

# No routes: this blueprint only makes the form-rendering macros available to every template.
blueprint = Blueprint("forms", __name__, template_folder="templates")
