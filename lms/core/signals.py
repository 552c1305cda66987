"""Named signals: how news travels from a lower package to a higher one without an import."""
from blinker import Namespace

_signals = Namespace()

#: sender: the User whose password was changed or who was deactivated; auth ends their sessions.
user_credentials_changed = _signals.signal("user-credentials-changed")
#: sender: the Enrollment whose course has just been completed (the certificates package listens).
course_completed = _signals.signal("course-completed")
