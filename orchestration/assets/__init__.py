"""Dagster assets: the raw extracts (ingestion) and the dbt project; later publish and report."""
