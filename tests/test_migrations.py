import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from lms.extensions import db
from tests.conftest import database_url, make_app


@pytest.mark.no_db
def test_upgrade_on_an_empty_database_gives_the_models_schema(tmp_path):
    app = make_app(database_url(tmp_path, "migrations"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
