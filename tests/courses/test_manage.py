"""The trainers' course list speaks to trainers: no server command lines."""
import pytest


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_course_list_shows_no_command_line(client, as_trainer, language):
    client.post("/language", data={"lang": language, "next": "/manage/courses"})
    page = client.get("/manage/courses").get_data(as_text=True)
    assert "flask" not in page and "--app" not in page
    assert ("courses folder" in page) if language == "en" else ("مجلد الدورات" in page)
