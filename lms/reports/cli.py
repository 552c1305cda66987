"""`flask --app lms demo-data`: a large demo organisation for trying the reports and benchmarking them."""
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.models import utcnow
from lms.reports import demo


@click.command("demo-data")
@click.option("--staff", default=10_000, show_default=True, help="Staff accounts to create.")
@click.option("--centers", default=120, show_default=True, help="Technology centers to create.")
@click.option("--courses", default=60, show_default=True, help="Published courses to create.")
@click.option("--progress", default=300_000, show_default=True, help="Enrolments to create.")
@click.option("--force", is_flag=True, help="Add the demo organisation to a database that already has staff.")
@with_appcontext
def demo_data_command(staff: int, centers: int, courses: int, progress: int, force: bool) -> None:
    """Build a demo organisation (demo and test modes only): every account's password is the demo password."""
    if current_app.config["LMS_ENV"] not in ("demo", "test"):
        raise click.ClickException("Demo data is only created in demo or test mode (LMS_ENV=demo).")
    started = time.perf_counter()
    try:
        counts = demo.build(demo.DemoSize(staff, centers, courses, progress), current_app.config["LMS_DEMO_PASSWORD"],
                            utcnow(), force=force, echo=click.echo)
    except demo.DemoDataRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items()))
    click.echo(f"Demo data built in {time.perf_counter() - started:.1f} s. HR accounts: hr-qly, hr-cai, ...; "
               f"center managers: staff00001 to staff{min(centers, staff):05d}; password: "
               f"{current_app.config['LMS_DEMO_PASSWORD']}")
