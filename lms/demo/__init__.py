"""Demo data for `make run`, trying the reports and the benchmarks.

Not a domain package: it may import any of them (like lms/tasks.py), and none of them imports it, so production
code never depends on made-up people.
"""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.demo.cli import demo_cli, demo_data_command

    app.cli.add_command(demo_cli)
    app.cli.add_command(demo_data_command)
