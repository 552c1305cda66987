"""Plumbing with no domain knowledge: the database engine, input limits, i18n, headers, rate limits, background
jobs, error pages, health checks, the main menu (its entries come from the packages)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.core import db, errors, i18n, inputs, jobs, menu, routes, throttle, web
    from lms.extensions import csrf, login_manager

    db.configure_engine(app)
    inputs.init_app(app)  # before any blueprint (their <int:...> rules take its converter) and before CSRF reads a form
    csrf.init_app(app)
    throttle.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    menu.init_app(app)
    jobs.init_app(app)
    errors.register_error_handlers(app)
    app.register_blueprint(routes.bp)
