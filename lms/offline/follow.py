"""What HR and center managers see of the field kit: the uploads refused or found suspicious, and when each
device and each technology center last synced; only the staff and centers in their scope."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import Center, User
from lms.accounts.scope import Scope
from lms.extensions import db
from lms.offline.models import Device, OfflineUpload


def _flagged():
    return sa.or_(OfflineUpload.status == "refused", sa.cast(OfflineUpload.suspicious, sa.String) != "[]")


def flagged_uploads(scope: Scope, page: int, per_page: int, center_id: int | None = None):
    """One page of the refused and suspicious uploads of the staff in scope, newest first, and their total."""
    query = (sa.select(OfflineUpload, User, Device, Center).join(User, User.id == OfflineUpload.user_id)
             .outerjoin(Device, Device.id == OfflineUpload.device_id)
             .outerjoin(Center, Center.id == Device.center_id).where(_flagged(), scope.users()))
    if center_id is not None:
        query = query.where(User.center_id == center_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(OfflineUpload.received_at.desc(), OfflineUpload.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return total, rows


def centers_in(scope: Scope) -> list[Center]:
    return list(db.session.scalars(sa.select(Center).where(scope.centers()).order_by(Center.code)))


def devices_in(scope: Scope) -> list[tuple[Device, Center | None, User | None]]:
    """The devices registered in the scope's technology centers (those of no center: only for everyone's)."""
    condition = scope.centers(Center) if not scope.is_everything else sa.true()
    last_user = sa.orm.aliased(User)
    return list(db.session.execute(
        sa.select(Device, Center, last_user).outerjoin(Center, Center.id == Device.center_id)
        .outerjoin(last_user, last_user.id == Device.last_user_id).where(condition)
        .order_by(Device.last_sync_at.desc().nulls_last(), Device.id)).all())


@dataclass(frozen=True)
class CenterSync:
    center: Center | None
    devices: int
    last_sync_at: datetime | None


def center_syncs(rows: list[tuple[Device, Center | None, User | None]]) -> list[CenterSync]:
    """Per technology center, how many devices and the latest sync of any of them: the longest silent first."""
    by_center: dict = {}
    for device, center, _user in rows:
        key = center.id if center else None
        seen = by_center.get(key)
        latest = max((t for t in (device.last_sync_at, seen.last_sync_at if seen else None) if t), default=None)
        by_center[key] = CenterSync(center, (seen.devices if seen else 0) + 1, latest)
    return sorted(by_center.values(), key=lambda c: c.last_sync_at.timestamp() if c.last_sync_at else 0.0)
