"""The certificates' background jobs."""
from lms.certificates import batches
from lms.core.jobs import app_context, huey


@huey.task()
def render_batch(batch_id: int) -> None:
    with app_context():
        batches.run_batch(batch_id)
