"""The working calendar (工作日历): official PRC holidays and make-up working days (调休),
admins' overrides, and the review deadline (核损时效)."""
