"""Meldingen (the user's notifications, read/unread) and the outbox of mails."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from webapp.audit.log import record_audit
from webapp.auth.session import current_actor, current_policy
from webapp.db import get_session
from webapp.notifications.mail import MailSettings
from webapp.notifications.models import Notification, OutboxMail
from webapp.notifications.service import mark_read
from webapp.services import get_services

blueprint = Blueprint("notifications", __name__, template_folder="templates")

PAGE_SIZE = 200


def mail_kept_locally() -> bool:
    return not MailSettings.from_config(current_app.config).delivers


@blueprint.get("/meldingen")
def index():
    db = get_session()
    policy = current_policy()
    rows = db.scalars(select(Notification).where(policy.notification_filter())
                      .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(PAGE_SIZE)).all()
    record_audit(db, "notifications.view", actor=current_actor(), at=get_services().now(),
                 detail={"case_ids": sorted({n.case_id for n in rows if n.case_id})})
    db.commit()
    return render_template("notifications/index.html", notifications=rows,
                           show_outbox=policy.may_read_outbox(mail_kept_locally()))


@blueprint.post("/meldingen/<int:notification_id>/gelezen")
def mark_one_read(notification_id: int):
    db = get_session()
    notification = db.scalar(select(Notification).where(
        Notification.id == notification_id, current_policy().notification_filter()))
    if notification is None:
        abort(404)
    now = get_services().now()
    mark_read(db, current_user.id, now, notification_id)
    record_audit(db, "notifications.read", actor=current_actor(), at=now, school_id=notification.school_id,
                 case_id=notification.case_id, detail={"notification_id": notification_id})
    db.commit()
    return redirect(url_for("notifications.index"), code=303)


@blueprint.post("/meldingen/gelezen")
def mark_all_read():
    db = get_session()
    now = get_services().now()
    changed = mark_read(db, current_user.id, now)
    record_audit(db, "notifications.read_all", actor=current_actor(), at=now, detail={"count": changed})
    db.commit()
    flash("Alle meldingen zijn als gelezen gemarkeerd." if changed else "Er waren geen ongelezen meldingen.", "info")
    return redirect(url_for("notifications.index"), code=303)


@blueprint.get("/uitgaande-mail")
def outbox():
    policy = current_policy()
    kept_locally = mail_kept_locally()
    if not policy.may_read_outbox(kept_locally):
        abort(403)
    db = get_session()
    mails = db.scalars(select(OutboxMail).where(policy.outbox_filter(kept_locally))
                       .order_by(OutboxMail.id.desc()).limit(PAGE_SIZE)).all()
    readable = set(db.scalars(select(OutboxMail.id).where(
        OutboxMail.id.in_([m.id for m in mails]), policy.readable_mail_filter(kept_locally))))
    record_audit(db, "outbox.view", actor=current_actor(), at=get_services().now(),
                 detail={"mail_ids": sorted(readable)})
    db.commit()
    return render_template("notifications/outbox.html", mails=mails, readable=readable, kept_locally=kept_locally)
