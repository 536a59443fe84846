from webapp.home.views import blueprint

__all__ = ["blueprint"]
