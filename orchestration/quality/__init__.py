"""Data quality: Great Expectations suites (suites.py), running them on DuckDB frames
(validate.py) and the Data Docs they produce (data_docs.py)."""
