"""Named signals: news that travels from a lower package to a higher one without an import, and that may have no
listener. A rule that must hold is a call instead (a hook, lms.core.hooks); work done in order is a list of steps
(the daily run, lms/daily.py). Receivers are connected in their package's `init_app`."""
from blinker import Namespace

_signals = Namespace()

#: sender: the Enrollment whose course has just been completed (certificates issue one; progress completes paths).
course_completed = _signals.signal("course-completed")
#: sender: the QuizAttempt just graded (or regraded), inside its transaction; progress completes the course.
attempt_graded = _signals.signal("attempt-graded")
#: sender: a list of user ids created or changed (center, job title, active) inside the write transaction that
#: changed them (roster import, the staff API, the user form); progress enrols those a rule assignment now matches.
staff_changed = _signals.signal("staff-changed")
#: sender: the PathEnrollment whose learning path has just been completed, inside its transaction (the
#: certificates package issues the path certificate).
path_completed = _signals.signal("path-completed")
#: sender: the Certificate just issued, inside its transaction (notifications tell its holder).
certificate_issued = _signals.signal("certificate-issued")
