"""`flask --app lms demo ...`: the demo organisation and accounts that `make run` starts with."""
import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts import services
from lms.accounts.models import Center, CenterKind, Role, User
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
]


@demo_cli.command("setup")
@with_appcontext
def setup_command() -> None:
    """Create the demo governorate, technology centers and accounts (idempotent)."""
    if current_app.config["LMS_ENV"] != "demo":
        raise click.ClickException("Demo accounts are only created in demo mode (LMS_ENV=demo).")
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
    click.echo(f"Demo accounts: {', '.join(a[0] for a in DEMO_ACCOUNTS)} — password: {password}")
