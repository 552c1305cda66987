"""`flask --app lms demo setup`: the accounts `make run` starts with, in demo mode only."""
import sqlalchemy as sa

from lms.accounts.models import Center, User
from lms.extensions import db as database


def test_setup_creates_the_demo_accounts_once(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ENV", "demo")
    first = runner.invoke(args=["demo", "setup"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["demo", "setup"])
    assert again.exit_code == 0, again.output
    usernames = set(database.session.scalars(sa.select(User.username)))
    assert usernames == {"admin", "trainer", "hr", "learner", "manager", "samira", "walid", "nadia", "tarek", "heba",
                         "omar"}
    assert database.session.scalar(sa.select(sa.func.count(Center.id))) == 4
    learner = database.session.scalar(sa.select(User).where(User.username == "learner"))
    assert learner.center.code == "QLY-MOB-1" and learner.check_password(app.config["LMS_DEMO_PASSWORD"])


def test_setup_is_refused_outside_demo_mode(runner, db):
    result = runner.invoke(args=["demo", "setup"])
    assert result.exit_code != 0 and "demo mode" in result.output
    assert database.session.scalar(sa.select(sa.func.count(User.id))) == 0
