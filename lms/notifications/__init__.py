"""In-app notifications (the bell) and their e-mails; `flask notifications send-due` for cron."""
