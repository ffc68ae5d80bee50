{#- The model's not_null contract constraints, checked as data: one row per constrained column that holds a null.
    Where the engine enforces the constraint when it builds the table (DuckDB, Postgres) the check is empty; where it
    does not (Spark's Parquet tables accept a NOT NULL constraint only on Delta), this query gives the same guarantee.
    Every model with a not_null constraint carries this test (tests/python/test_governance.py). -#}
{% test cdp_not_null_constraints(model) %}
    {{ cdp_not_null_constraints_sql(model) }}
{% endtest %}
