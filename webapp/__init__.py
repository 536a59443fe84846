"""Meldroute: the meldcode huiselijk geweld en kindermishandeling as executable BPMN for schools.

The application factory is `webapp.app.create_app`; this package file imports nothing, so that
importing any module of Meldroute does not pull in all the others.
"""
