"""What a bulk-import file of one collection holds, declared with the collection's
type (an entry type's `importer`, see core.registry) and read by the import engine
(editorial.importing), which is the same for every collection.

A declaration says which columns a row has, which of them find the row that already
exists (its natural key), which name other rows by their natural keys (themes by
slug, countries by ISO code), and which hold rows edited inline with it (a directive's
provisions). It is plain data, so that the kernel's own types can declare theirs
without importing the engine, and a collection's columns are written down once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    """A column that names other rows by a natural key: one name for a foreign key,
    a list of names for a many-to-many field."""

    # The model's foreign key or many-to-many field; the rows it points to are found
    # by `key` ("slug", or "code" for countries, which is read in capitals).
    field: str
    key: str = "slug"


@dataclass(frozen=True, kw_only=True)
class InlineRows:
    """Rows edited with their entry, given in one column of its row as a list of
    objects: a directive's provisions, a source's authors, an agreement's links."""

    # The column, which is also the entry's related name for the rows ("provisions").
    column: str
    # The fields that tell one entry's rows apart ("number"); by default read from
    # each object, where a number must be 1 or more.
    key: tuple
    # The fields an object may give; one it leaves out keeps its value.
    fields: tuple = ()
    links: dict = field(default_factory=dict)
    tags: bool = False
    # The rows are numbered by their place in the list (key 1, 2, ...) and the list is
    # complete: rows beyond its end are removed, and a field an object leaves out is
    # blank (a source's authors, whose order is all that tells them apart).
    positional: bool = False
    # (item, importer) -> ({key field: value}, {field: value}) for items a plain
    # object cannot say (an agreement's links name "directive-slug#pN"); raises
    # ValueError with a plain-words reason. `importer` resolves natural keys.
    read: Callable | None = None


@dataclass(frozen=True, kw_only=True)
class Importer:
    """The columns of one collection's import files, and how its rows are found,
    linked and written."""

    # The columns whose values find the row that already exists: its natural key.
    # Each is a field, or a link (a finding is found by its source and number).
    match: tuple = ("slug",)
    # Columns written to the field of the same name, as they are (text, numbers,
    # choices) or read as YYYY-MM-DD (date fields).
    fields: tuple = ()
    # {column: Link}: several columns may name one field (an accepted older name).
    links: dict = field(default_factory=dict)
    tags: bool = False
    inline: tuple = ()
    # The column naming the source(s) a row is drawn from. An import that publishes
    # (the starter data) refuses a row that leaves it empty. A column that is not a
    # link (themes and organizations have no field for it) is checked, not stored.
    cites: str = ""
