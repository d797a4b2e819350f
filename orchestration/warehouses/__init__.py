"""Building the same dbt project on warehouses other than the DuckDB file."""
