"""An index in the order a list reads, NULLs where the order puts them."""

from django.db import models
from django.db.models.expressions import OrderBy


class OrderIndex(models.Index):
    """An index whose expressions may say where NULLs go (`F(...).desc(nulls_last=True)`),
    as the newest-first lists ask: PostgreSQL stores them so (a plain descending
    index puts NULLs first, and cannot serve `NULLS LAST`). SQLite's index syntax
    has no NULLS clause: there the index is made without it, and SQLite, whose NULLs
    sort first ascending and so last descending, reads it in that order anyway."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            _, args, options = self.deconstruct()
            plain = models.Index(*(without_nulls(expression) for expression in args), **options)
            return plain.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


def without_nulls(expression):
    if isinstance(expression, OrderBy):
        return OrderBy(expression.expression, descending=expression.descending)
    return expression
