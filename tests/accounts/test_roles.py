"""The role table (lms.accounts.roles): what its docstring shows is what the gates read, and administrators may
do every kind of work."""
import pytest

from lms.accounts import models, roles
from lms.accounts.roles import PERMISSIONS, Role
from lms.api.auth import token_roles_required
from lms.core.security import roles_required


def _documented() -> dict[str, frozenset[str]]:
    """The table in the module's docstring: a permission's row marks its roles under the columns' headings."""
    lines = roles.__doc__.splitlines()
    border = next(i for i, line in enumerate(lines) if line.startswith("===="))
    header = lines[border + 1]
    columns = {role.value: header.index(role.value) for role in Role}
    table = {}
    for line in lines[border + 3:]:
        if line.startswith("===="):
            break
        if line[:1].isupper():
            table[line.split()[0]] = frozenset(
                role for role, at in columns.items() if line[at:at + len(role)].strip() == "x")
    return table


def test_the_docstring_table_is_the_table():
    assert _documented() == PERMISSIONS
    assert len(PERMISSIONS) == 10


def test_administrators_may_do_every_kind_of_work():
    assert all(Role.ADMIN in allowed for allowed in PERMISSIONS.values())
    assert set(roles.ADMINISTER) == {Role.ADMIN}


def test_permissions_name_roles_only():
    assert set().union(*PERMISSIONS.values()) <= set(Role)


def test_the_role_is_still_importable_from_the_models():
    assert models.Role is Role


@pytest.mark.parametrize("decorator", [roles_required, token_roles_required])
@pytest.mark.parametrize("wrong", ["hr", (), frozenset()])
def test_a_gate_takes_a_permission_not_a_role_name(decorator, wrong):
    with pytest.raises(TypeError):
        decorator(wrong)
