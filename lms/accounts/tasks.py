"""The accounts' background jobs."""
from lms.accounts import roster_jobs
from lms.core.jobs import app_context, huey


@huey.task()
def apply_roster_import(job_id: int, locale: str) -> None:
    with app_context():
        roster_jobs.run_import(job_id, locale)
