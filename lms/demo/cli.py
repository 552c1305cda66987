"""`flask --app lms demo setup`: the demo organisation and accounts that `make run` starts with; and
`flask --app lms demo-data`: a large demo organisation for trying the reports and benchmarking them."""
import time
from datetime import datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts import services
from lms.accounts.models import Center, CenterKind, Role, User
from lms.certificates.signing.cli import ensure_key
from lms.core.models import utcnow
from lms.demo import learning, organisation, showcase
from lms.extensions import db

demo_cli = click.Group("demo", help="Demo data (only in LMS_ENV=demo).")

DEMO_CENTERS = [
    ("QLY-BENHA", "المركز التكنولوجي بديوان عام محافظة القليوبية", "Qalyubia Governorate HQ Technology Center",
     CenterKind.FIXED),
    ("QLY-SHUBRA", "المركز التكنولوجي بحي شرق شبرا الخيمة", "East Shubra El-Kheima Technology Center",
     CenterKind.FIXED),
    ("QLY-MOB-1", "المركز التكنولوجي المتنقل رقم ١", "Mobile Technology Center No. 1", CenterKind.MOBILE),
    ("QLY-MOB-2", "المركز التكنولوجي المتنقل رقم ٢", "Mobile Technology Center No. 2", CenterKind.MOBILE),
]

DEMO_JOB_TITLES = {"مدير النظام": "System administrator", "مدربة": "Trainer", "أخصائي موارد بشرية": "HR specialist",
                   "موظف شباك خدمة": "Service window clerk", "مدير المركز التكنولوجي": "Technology center manager"}

DEMO_ACCOUNTS = [
    # username, Arabic name, Latin name, employee number, center code, job title, role
    ("admin", "مدير النظام", "System Administrator", None, None, "مدير النظام", Role.ADMIN),
    ("trainer", "منى عبد الرحمن السيد", "Mona Abdelrahman El-Sayed", "20001", "QLY-BENHA", "مدربة", Role.TRAINER),
    ("hr", "خالد محمود حسن", "Khaled Mahmoud Hassan", "30001", "QLY-BENHA", "أخصائي موارد بشرية", Role.HR),
    ("learner", "أحمد مصطفى إبراهيم", "Ahmed Mostafa Ibrahim", "10001", "QLY-MOB-1", "موظف شباك خدمة",
     Role.LEARNER),
    ("manager", "سمر علي حسن", "Samar Ali Hassan", "40001", "QLY-MOB-1", "مدير المركز التكنولوجي",
     Role.CENTER_MANAGER),
    # Learners of two centers, whose progress lms/demo/showcase.py plays.
    ("samira", "سميرة فتحي عبد العال", "Samira Fathy Abdelaal", "10002", "QLY-MOB-1", "موظف شباك خدمة",
     Role.LEARNER),
    ("walid", "وليد جمال الدين شاكر", "Walid Gamal El-Din Shaker", "10003", "QLY-MOB-1", "موظف شباك خدمة",
     Role.LEARNER),
    ("nadia", "نادية سعيد منصور", "Nadia Saeed Mansour", "10004", "QLY-MOB-1", "موظف شباك خدمة", Role.LEARNER),
    ("tarek", "طارق حسني البنا", "Tarek Hosny Elbanna", "10005", "QLY-BENHA", "موظف شباك خدمة", Role.LEARNER),
    ("heba", "هبة الله مجدي عوض", "Hebatallah Magdy Awad", "10006", "QLY-BENHA", "موظف شباك خدمة",
     Role.LEARNER),
    ("omar", "عمر خالد الشريف", "Omar Khaled Elsherif", "10007", "QLY-BENHA", "موظف شباك خدمة", Role.LEARNER),
]


@demo_cli.command("setup")
@with_appcontext
def setup_command() -> None:
    """Create the demo governorate, technology centers, accounts and their learning (idempotent)."""
    if current_app.config["LMS_ENV"] != "demo":
        raise click.ClickException("Demo accounts are only created in demo mode (LMS_ENV=demo).")
    setup(utcnow(), echo=click.echo)


def setup(now: datetime, echo=lambda message: None) -> None:
    """The demo `make run` starts with, its dates counted from `now`; what is there already is left alone."""
    password = current_app.config["LMS_DEMO_PASSWORD"]
    governorate = services.save_governorate("QLY", "محافظة القليوبية", "Qalyubia Governorate")
    centers = {}
    for code, name_ar, name_en, kind in DEMO_CENTERS:
        center = db.session.scalar(sa.select(Center).where(Center.code == code))
        if center is None:
            center = services.save_center({"code": code, "governorate_id": governorate.id, "name_ar": name_ar,
                                           "name_en": name_en, "kind": kind})
        centers[code] = center.id
    for username, name_ar, name_latin, number, center, job, role in DEMO_ACCOUNTS:
        if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
            job_title_id = services.job_title_named(job, DEMO_JOB_TITLES[job]).id
            services.create_user({"username": username, "full_name_ar": name_ar, "full_name_latin": name_latin,
                                  "employee_number": number, "center_id": centers.get(center),
                                  "job_title_id": job_title_id, "role": role}, password)
    if ensure_key():  # before the showcase issues certificates that carry a signed QR code
        echo("Certificate signing key created.")
    showcase.build(now, echo)
    echo(f"Demo accounts: {', '.join(a[0] for a in DEMO_ACCOUNTS)} — password: {password}")


@click.command("demo-data")
@click.option("--staff", default=10_000, show_default=True, help="Staff accounts to create.")
@click.option("--centers", default=120, show_default=True, help="Technology centers to create.")
@click.option("--courses", default=60, show_default=True, help="Published courses to create.")
@click.option("--progress", default=300_000, show_default=True, help="Enrolments to create.")
@click.option("--force", is_flag=True, help="Add the demo organisation to a database that already has staff.")
@click.option("--certificates/--no-certificates", default=True, show_default=True,
              help="Issue the certificates the completed enrolments earned.")
@with_appcontext
def demo_data_command(staff: int, centers: int, courses: int, progress: int, force: bool,
                      certificates: bool) -> None:
    """Build a demo organisation (demo and test modes only): every account's password is the demo password."""
    if current_app.config["LMS_ENV"] not in ("demo", "test"):
        raise click.ClickException("Demo data is only created in demo or test mode (LMS_ENV=demo).")
    started = time.perf_counter()
    try:
        counts = organisation.build(organisation.DemoSize(staff, centers, courses, progress),
                                    current_app.config["LMS_DEMO_PASSWORD"], utcnow(), force=force, echo=click.echo)
    except organisation.DemoDataRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    if certificates:
        counts["certificates"] = learning.issue_earned(echo=click.echo)
    click.echo(", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items()))
    click.echo(f"Demo data built in {time.perf_counter() - started:.1f} s. HR accounts: hr-qly, hr-cai, ...; "
               f"center managers: staff00001 to staff{min(centers, staff):05d}; password: "
               f"{current_app.config['LMS_DEMO_PASSWORD']}")
