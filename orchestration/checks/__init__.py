"""Asset checks beyond the dbt tests (which dagster-dbt turns into checks itself)."""
