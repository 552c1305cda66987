"""Question banks, their import formats, quiz settings, attempts and grading (a registry of question types)."""
