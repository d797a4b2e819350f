"""Outputs for people, read from the published copy only: the KPI overview report
(`build.py`, charts in `charts.py`, words in `labels.py`) and the dbt docs of the KPI
definitions (`dbt_docs.py`)."""
