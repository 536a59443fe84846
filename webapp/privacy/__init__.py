"""The child's file under the AVG: retention terms per school, destruction when they pass (leaving
an anonymous statistics record), and the inzage export for a parent's request."""
