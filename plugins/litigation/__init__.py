"""Litigation (诉讼案件管理): lawsuits, hearings, outcomes and legal costs; complaints,
disputes and difficult cases (投诉、纠纷、疑难案件).

The link to a recovery case is a plain ``recovery_id`` (no foreign key), so litigation
loads with or without the subrogation plugin; the case is looked up through the hook
litigation publishes (``portal_recovery_cases``, implemented by the area that keeps the
cases): same claim, and a link to its page. A lawsuit registered on a recovery case emits
``lawsuit.filed``, which the subrogation plugin receives to stop the limitation flag.
Plugins never import each other.
"""
