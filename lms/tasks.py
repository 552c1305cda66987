"""Every background job, for the consumer: `huey_consumer lms.tasks.huey`."""
from lms.accounts.tasks import apply_roster_import
from lms.certificates.tasks import reclaim_after_the_lease, reclaim_stalled_batches, render_batch
from lms.core.jobs import huey

# What the consumer runs: a job is known to huey once its module is imported, so each is named here.
JOBS = (apply_roster_import, render_batch, reclaim_stalled_batches, reclaim_after_the_lease)

__all__ = ["JOBS", "huey"]
