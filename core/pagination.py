"""Pages of a public list that cost the same however deep they are.

`?page=N` alone is read as before, by OFFSET, so every address ever shared still
shows its page. The links a page gives add the id of the row they continue from
(`?page=4&after=<id>`, `?page=2&before=<id>`), and such a page is read from that
row on, along the list's order (keyset pagination): the 1,400th page of 30,000
provisions under a theme read and threw away 27,980 joined rows first (0.5-1.1 s;
by its key, 30 ms).

A count that would read a large join can be capped (`count_cap`): past it the page
says "of more than" so many pages, which is true, instead of counting every row."""

from functools import reduce
from operator import or_

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Q
from django.utils.functional import cached_property

ORPHANS = 3  # a last page may hold this many more rows, as Django's paginator allows
NEVER = Q(pk__in=[])


def positive_int(value):
    """A page number or an id, or None: at most 15 ASCII digits, so that no offset or
    key overflows a 64-bit integer in the database."""
    if not value or len(value) > 15 or not (value.isascii() and value.isdigit()):
        return None
    return int(value) or None


def list_ordering(queryset):
    """The queryset's order as [(field path, descending)], ending with the primary
    key so that it is total. A foreign key in it stands for its model's own ordering,
    as Django reads it (a provision is ordered by its directive's date and title)."""
    names = queryset.query.order_by or queryset.model._meta.ordering
    ordering = []
    for name in names:
        ordering.extend(expand(queryset.model, name.lstrip("-"), name.startswith("-")))
    if ("pk", False) not in ordering and ("pk", True) not in ordering:
        ordering.append(("pk", False))
    return ordering


def expand(model, name, descending, prefix=""):
    if name == "pk" or "__" in name:  # the id, or a path already spelled out
        return [(f"{prefix}{name}", descending)]
    field = model._meta.get_field(name)
    if not field.many_to_one:
        return [(f"{prefix}{name}", descending)]
    related = field.related_model
    return [
        pair
        for sub in related._meta.ordering or ["pk"]
        for pair in expand(
            related, sub.lstrip("-"), descending != sub.startswith("-"), f"{prefix}{name}__"
        )
    ]


def order_by(queryset, ordering):
    return queryset.order_by(*(f"-{path}" if desc else path for path, desc in ordering))


def beyond(ordering, values, nulls_largest):
    """The rows after the row with these values of `ordering`, in its order (ties
    broken field by field; a NULL sorts as the database sorts it). The first field's
    bound is repeated alone, so that an index on it starts the scan there."""
    terms, same = [], Q()
    for (path, descending), value in zip(ordering, values, strict=True):
        nulls_after = nulls_largest != descending
        if value is None:
            step = NEVER if nulls_after else Q(**{f"{path}__isnull": False})
        else:
            step = Q(**{f"{path}__{'lt' if descending else 'gt'}": value})
            if nulls_after:
                step |= Q(**{f"{path}__isnull": True})
        terms.append(same & step)
        same &= Q(**{f"{path}__isnull": True}) if value is None else Q(**{path: value})
    (path, descending), value = ordering[0], values[0]
    nulls_after = nulls_largest != descending
    if value is None:
        start = Q(**{f"{path}__isnull": True}) if nulls_after else Q()
    else:
        start = Q(**{f"{path}__{'lte' if descending else 'gte'}": value})
        if nulls_after:
            start |= Q(**{f"{path}__isnull": True})
    return start & reduce(or_, terms)


def count_up_to(queryset, limit):
    """How many rows the queryset holds, or `limit` if it holds that many or more: a
    count that reads no more than `limit` rows, however many match."""
    return queryset.order_by()[:limit].count()


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows (when a cap is given): `capped` says it stopped."""

    def __init__(self, object_list, per_page, cap=None):
        super().__init__(object_list, per_page, orphans=ORPHANS)
        self.cap = cap

    @cached_property
    def count(self):
        if self.cap is None:
            return self.object_list.count()
        return count_up_to(self.object_list, self.cap + 1)

    @property
    def capped(self):
        return self.cap is not None and self.count > self.cap


class ListPage:
    """One page of a list, read by offset (`?page=N`) or from a row on (`after`,
    `before`), with what the pagination links need."""

    keyset = True  # its links carry the key they continue from

    def __init__(self, rows, number, paginator, *, has_previous, has_next):
        self.object_list = rows
        self.number = number
        self.paginator = paginator
        self._has_previous, self._has_next = has_previous, has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self):
        return self._has_previous

    def has_next(self):
        return self._has_next

    def has_other_pages(self):
        return self._has_previous or self._has_next

    def previous_page_number(self):
        """None when this page's number is not known (an address with a key only)."""
        return self.number - 1 if self.number else None

    def next_page_number(self):
        return self.number + 1 if self.number else None

    @property
    def previous_before(self):
        """The key the previous page ends before; none when it is the first page,
        which is read from the start."""
        return None if self.previous_page_number() == 1 else self.object_list[0].pk

    @property
    def next_after(self):
        return self.object_list[-1].pk


def paginate_by_key(request, queryset, per_page=None, count_cap=None):
    """The page that ?page=, ?after= and ?before= ask for. A malformed value, a key
    of a row that is gone, or a page past the end gives a real page, never an error:
    people edit addresses by hand."""
    per_page = per_page or settings.PAGE_SIZE
    ordering = list_ordering(queryset)
    ordered = order_by(queryset, ordering)
    paginator = CappedPaginator(ordered, per_page, count_cap)
    number = positive_int(request.GET.get("page"))
    for direction in ("after", "before"):
        key = positive_int(request.GET.get(direction))
        if key is not None:
            page = keyset_page(ordered, ordering, paginator, key, direction, number)
            if page is not None:
                return page
    return offset_page(ordered, paginator, number or 1)


def keyset_page(ordered, ordering, paginator, key, direction, number):
    model = ordered.model
    values = model._base_manager.filter(pk=key).values_list(*(p for p, _ in ordering)).first()
    if values is None:
        return None
    database = connections[router.db_for_read(model)]
    nulls_largest = database.features.nulls_order_largest
    per_page = paginator.per_page
    if direction == "after":
        following = ordered.filter(beyond(ordering, values, nulls_largest))
        rows = list(following[: per_page + ORPHANS + 1])
        if not rows:
            return None
        more = len(rows) > per_page + ORPHANS
        return ListPage(
            rows[:per_page] if more else rows,
            number,
            paginator,
            has_previous=True,
            has_next=more,
        )
    backward = [(path, not desc) for path, desc in ordering]
    rows = list(
        order_by(ordered, backward).filter(beyond(backward, values, nulls_largest))[: per_page + 1]
    )
    if len(rows) <= per_page:  # the list's first page
        return offset_page(ordered, paginator, 1)
    return ListPage(
        rows[:per_page][::-1],
        number if number and number > 1 else None,
        paginator,
        has_previous=True,
        has_next=True,
    )


def offset_page(ordered, paginator, number):
    """Page `number` by offset; past the end, the last page (or the first, when the
    count stopped at its cap and says nothing of where the end is)."""
    if not paginator.capped and number > paginator.num_pages:
        number = paginator.num_pages
    per_page = paginator.per_page
    start = (number - 1) * per_page
    rows = list(ordered[start : start + per_page + ORPHANS + 1])
    if number > 1 and len(rows) <= ORPHANS:
        # Nothing here, or only rows that the page before shows as its last.
        last = 1 if paginator.capped else paginator.num_pages
        return offset_page(ordered, paginator, last if last < number else 1)
    more = len(rows) > per_page + ORPHANS
    return ListPage(
        rows[:per_page] if more else rows,
        number,
        paginator,
        has_previous=number > 1,
        has_next=more,
    )
