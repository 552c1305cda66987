"""The mobile-center field kit (issue 16): devices that sync for several staff, their grants, offline exams
unlocked by an invigilator code, and the uploads of attempts made without a network, judged here alone."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.offline import api, routes

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
