"""The indexes that the lists' orders read (core.indexes.OrderIndex), on both
databases: the newest-first order of the home page, NULLs last."""

import pytest
from django.db import connection

from cooperation.models import Agreement
from policies.models import Directive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "name"),
    [(Directive, "directive_latest_idx"), (Agreement, "agreement_latest_idx")],
)
def test_the_newest_first_index_exists_in_the_order_the_home_page_reads(model, name):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    assert constraints[name]["index"]
    assert constraints[name]["columns"] == ["status", "published_at", "updated_at", "id"]
    assert constraints[name]["orders"] == ["ASC", "DESC", "DESC", "DESC"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
            (definition,) = cursor.fetchone()
        assert (
            '"published_at" DESC NULLS LAST' in definition
            or "published_at DESC NULLS LAST" in definition
        )
