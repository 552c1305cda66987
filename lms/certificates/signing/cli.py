"""`flask --app lms certificates keys create|rotate|list`: the issuer's signing keys."""
import click
from flask.cli import with_appcontext

from lms.certificates.signing import keys
from lms.core.db import begin_write
from lms.core.i18n import _
from lms.extensions import db

keys_cli = click.Group("keys", help="The issuer's certificate signing keys: create, rotate, list.")


@keys_cli.command("create")
@with_appcontext
def create_command() -> None:
    """Create the first signing key (refused when a current key exists: rotate it instead)."""
    begin_write()
    try:
        key = keys.create_key()
    except keys.KeyExists:
        db.session.rollback()
        raise click.ClickException(_("A current signing key exists already: rotate it instead.")) from None
    db.session.commit()
    click.echo(_("Signing key %(kid)s created.", kid=key.kid))


@keys_cli.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """A new current key; the old one stops signing and stays published, so its certificates keep verifying."""
    begin_write()
    key = keys.rotate_key()
    db.session.commit()
    click.echo(_("Signing key %(kid)s is now current.", kid=key.kid))


@keys_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Every key with its validity: the current one and the retired ones (still published)."""
    found = keys.all_keys()
    if not found:
        raise click.ClickException(_("No signing key yet: create one with `flask --app lms certificates keys "
                                     "create`."))
    for key in found:
        until = key.retired_at.isoformat(timespec="seconds") if key.retired_at else _("current")
        click.echo(f"{key.kid}  {key.valid_from.isoformat(timespec='seconds')}  {until}")


def ensure_key() -> bool:
    """The demo's setup: a key when there is none (idempotent). True when one was created."""
    try:
        keys.current_key(create=False)
        return False
    except keys.NoIssuerKey:
        keys.create_key()
        db.session.commit()
        return True
