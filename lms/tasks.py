"""Every background job, for the consumer: `huey_consumer lms.tasks.huey`."""
from lms.accounts import tasks as accounts_tasks  # noqa: F401  (registers its jobs)
from lms.certificates import tasks as certificates_tasks  # noqa: F401  (registers its jobs)
from lms.core.jobs import huey

__all__ = ["huey"]
