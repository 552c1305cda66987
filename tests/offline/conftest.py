"""Devices with grants, for the device API's tests."""
import uuid

import pytest

from lms.offline import devices
from tests import factories


def register(user, client_id: str | None = None, label: str = ""):
    return devices.register(user, client_id or str(uuid.uuid4()), label)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def learner(db):
    return factories.UserFactory()


@pytest.fixture
def granted(learner):
    return register(learner, label="Tablet 1")
