"""Named signals: how news travels from a lower package to a higher one without an import."""
from blinker import Namespace

_signals = Namespace()

#: sender: the User whose password was changed or who was deactivated; auth ends their sessions.
user_credentials_changed = _signals.signal("user-credentials-changed")
#: sender: a list of user ids deactivated together (a roster import), inside the write transaction that deactivated
#: them; auth ends their sessions and API tokens in bulk, as it does for one on user_credentials_changed.
staff_deactivated = _signals.signal("staff-deactivated")
#: sender: the Enrollment whose course has just been completed (the certificates package listens).
course_completed = _signals.signal("course-completed")
#: sender: the Course whose quiz a learner is starting, with `user_id`; progress refuses (raises) when the
#: learner is not enrolled, and locks the enrolment so that one learner's attempts start one at a time.
attempt_starting = _signals.signal("attempt-starting")
#: sender: the QuizAttempt just graded (or regraded), inside its transaction; progress completes the course.
attempt_graded = _signals.signal("attempt-graded")
#: sender: a CourseFolder just read from disk; receivers return a list of courses.files.Problem (the quizzes
#: package checks the `quiz:` block and the question bank files) so that a bad folder imports nothing.
course_folder_read = _signals.signal("course-folder-read")
#: sender: the Course just imported, with `folder`, inside the import's transaction (the bank is loaded).
course_imported = _signals.signal("course-imported")
#: sender: a list of user ids created or changed (center, job title, active) inside the write transaction that
#: changed them (roster import, the staff API, the user form); progress enrols those a rule assignment now matches.
staff_changed = _signals.signal("staff-changed")
#: sender: the PathEnrollment whose learning path has just been completed, inside its transaction (the
#: certificates package issues the path certificate).
path_completed = _signals.signal("path-completed")
#: sender: the Certificate just issued, inside its transaction (notifications tell its holder).
certificate_issued = _signals.signal("certificate-issued")
#: sender: the moment (aware datetime) of a daily run of `flask notifications send-due`. Receivers renew expiring
#: certificates' courses and store due reminders, overdue notices and expiry notices, each idempotent (a second run
#: the same day stores nothing new). Runs inside one write transaction.
notifications_due = _signals.signal("notifications-due")
