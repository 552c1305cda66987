"""`flask --app lms notifications ...`: the group the daily run's `send-due` belongs to (lms/daily.py)."""
import click

notifications_cli = click.Group("notifications", help="Notifications: store what is due and e-mail it.")
