"""The progress tables show HR and center managers only the staff in their scope."""
from lms.accounts.scope import scope_of
from lms.progress.services import enroll, enrolment_counts, progress_table
from tests import factories


def _two_centers():
    course = factories.CourseFactory(slug="scoped", modules=1)
    governorate = factories.GovernorateFactory()
    here, there = factories.CenterFactory(governorate=governorate), factories.CenterFactory()
    for center, name in ((here, "نور هنا"), (there, "سارة هناك")):
        enroll(factories.UserFactory(center=center, full_name_ar=name).id, course)
    return course, here, governorate


def test_a_center_manager_sees_only_their_centers_learners(client, auth, db):
    _course, here, _governorate = _two_centers()
    auth.as_role("center_manager", center=here)
    page = client.get("/manage/courses/scoped/progress").get_data(as_text=True)
    assert "نور هنا" in page and "سارة هناك" not in page


def test_hr_of_one_governorate_counts_only_its_staff(client, auth, db):
    course, _here, governorate = _two_centers()
    hr = auth.as_role("hr", scope_governorate_id=governorate.id)
    counts = {c.slug: n for c, n, _done in enrolment_counts(scope_of(hr))}
    total, rows = progress_table(course, 1, scope=scope_of(hr))
    assert counts["scoped"] == 1 and total == 1 and rows[0].user.full_name_ar == "نور هنا"
    page = client.get("/manage/courses/scoped/progress").get_data(as_text=True)
    assert "نور هنا" in page and "سارة هناك" not in page


def test_hr_of_every_governorate_sees_everyone(client, as_hr, db):
    _two_centers()
    page = client.get("/manage/courses/scoped/progress").get_data(as_text=True)
    assert "نور هنا" in page and "سارة هناك" in page
