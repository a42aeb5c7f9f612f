"""In-app notifications (a bell with an unread count) and e-mail when SMTP is set."""
