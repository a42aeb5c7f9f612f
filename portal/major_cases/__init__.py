"""The major-case register (大案登记): claims whose repair, salvage, recovery or lawsuit amount
reaches the major threshold, their responsible person by amount band, the seeds' milestones and
the weekly summary (``docs/review-controls.md``, "Major cases")."""
