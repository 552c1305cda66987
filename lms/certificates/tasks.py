"""The certificates' background jobs."""
from huey import crontab

from lms.certificates import batches
from lms.core.jobs import app_context, huey
from lms.core.models import utcnow


@huey.task()
def render_batch(batch_id: int) -> None:
    with app_context():
        batches.run_batch(batch_id)


@huey.periodic_task(crontab(minute="*"))
def reclaim_stalled_batches() -> None:
    """Every minute: a print batch whose worker stopped is started again (or failed) once its lease ran out."""
    with app_context():
        batches.reclaim_stalled_batches()


@huey.on_startup()
def reclaim_after_the_lease() -> None:
    """A consumer starting again (after it was killed mid-batch, say) looks again as soon as the stopped run's
    lease has run out, so that its batch starts again within a lease of the restart, not up to a minute later."""
    with app_context():
        lease_end = batches.first_lease_end()
    if lease_end is not None:
        reclaim_stalled_batches.schedule(delay=max(0.0, (lease_end - utcnow()).total_seconds()) + 1)
