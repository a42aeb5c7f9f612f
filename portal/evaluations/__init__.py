"""Graded partner evaluations (考核): the scorecard engine; metrics come from plugins."""
