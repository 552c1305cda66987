"""The issuer's signing keys and the signed status list, as the database keeps them (app servers keep nothing)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.models import UTCDateTime, utcnow
from lms.extensions import db


class IssuerKey(db.Model):
    """One Ed25519 key of the issuing authority. Exactly one is current (retired_at NULL); retired ones stay
    published so that the certificates they signed keep verifying."""

    __tablename__ = "issuer_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(16), unique=True)
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64url of the 32 raw bytes
    private_key: Mapped[str] = mapped_column(sa.Text)  # PKCS#8 PEM, encrypted with LMS_ISSUER_KEY_PASSPHRASE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatusList(db.Model):
    """The signed status list as last generated (a compact JWS), served as it is."""

    __tablename__ = "certificate_status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)  # the list's number in /verify/status/<id>
    jws: Mapped[str] = mapped_column(sa.Text)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
