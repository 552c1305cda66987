"""Devices and their grants: a device registers once per person while online (a signed-in session), and syncs
later with the grant's bearer token, which is kept on the device and only hashed here."""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.auth.services import hash_token
from lms.core.db import begin_write
from lms.core.models import utcnow
from lms.core.names import clean_name
from lms.extensions import db
from lms.offline.models import Device, DeviceGrant

CLIENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Granted:
    device: Device
    token: str
    grant: DeviceGrant


def valid_client_id(value: object) -> str | None:
    """A device's id as it made it (a UUID, lower-cased here), or None."""
    if not isinstance(value, str) or len(value) != 36 or not CLIENT_ID.fullmatch(value.lower()):
        return None
    return value.lower()


def register(user: User, client_id: str, label: str = "", now: datetime | None = None) -> Granted:
    """Give `user` a grant on the device `client_id` (made on first sight, in the user's center); an older live
    grant of the same person on the same device is revoked."""
    now = now or utcnow()
    begin_write()
    device = db.session.scalar(sa.select(Device).where(Device.client_id == client_id).with_for_update())
    if device is None:
        device = Device(client_id=client_id, label=label, center_id=user.center_id, created_at=now)
        db.session.add(device)
        db.session.flush()
    elif label:
        device.label = label
    db.session.execute(sa.update(DeviceGrant).where(
        DeviceGrant.device_id == device.id, DeviceGrant.user_id == user.id, DeviceGrant.revoked_at.is_(None))
        .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    grant = DeviceGrant(device_id=device.id, user_id=user.id, token_hash=hash_token(token), created_at=now,
                        expires_at=now + timedelta(days=current_app.config["LMS_OFFLINE_GRANT_DAYS"]))
    db.session.add(grant)
    db.session.commit()
    return Granted(device, token, grant)


def clean_label(value: object) -> str | None:
    """A device's label as typed (one line, no invisible characters), or None when it is not text."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 1000:
        return None
    return clean_name(value)[:80]


_GRANT = (sa.select(DeviceGrant).join(User, User.id == DeviceGrant.user_id)
          .where(DeviceGrant.token_hash == sa.bindparam("token_hash"), DeviceGrant.revoked_at.is_(None),
                 User.is_active.is_(True)))


def grant_for_token(token: str, now: datetime | None = None) -> DeviceGrant | None:
    """The live grant a bearer token stands for, or None (unknown, revoked, expired, or its person left)."""
    grant = db.session.scalar(_GRANT, {"token_hash": hash_token(token)})
    if grant is None or grant.expires_at <= (now or utcnow()):
        return None
    return grant


def mark_sync(grant: DeviceGrant, now: datetime | None = None) -> None:
    """The device was heard from: its last sync and by whom."""
    begin_write()
    db.session.execute(sa.update(Device).where(Device.id == grant.device_id)
                       .values(last_sync_at=now or utcnow(), last_user_id=grant.user_id))
    db.session.commit()
