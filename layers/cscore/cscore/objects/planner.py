"""Which access path serves a query (SPEC §4b "Reads at scale"): pure, no I/O.

From the query's top-level AND conditions, its order and the object's catalog entry,
``plan`` picks the cheapest way to the rows that may match, best first:

1. ``ByKey``: ``Gsid`` EQ/IN on an object keyed by GSID, the records by key;
2. ``ByValue``: EQ/IN on a field with unique or lookup index items, those items and
   then the records they name;
3. ``ByReference``: EQ/IN on a reference (CompanyId, UserId, PersonId) naming at most
   ``MAX_PARTITIONS`` records, the referenced records' partitions of GSI2/GSI3;
4. ``InIndex`` with a key condition: a ``ModifiedDate`` range (GT, GTE, LT, LTE, BTW,
   EQ) on GSI1, or Name ``STARTS_WITH``/EQ on GSI2, in index order;
5. ``InIndex`` without one: the index that keeps the requested order (ModifiedDate, or
   Name of an object whose records all have one), read page by page until
   ``offset + limit`` rows matched;
6. ``Everything``: the object's whole GSI1 partition (bounded by the caller).

Every path yields a superset of the matching rows (index keys are normalized at least
as coarsely as the engine compares values), so the engine evaluates the whole where
clause again on the candidates and the answer is the one a full read would give.
A condition under OR or NOT never drives a path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cscore.catalog.model import ObjectDef
from cscore.query.model import And, Condition, Expr, Operator, Query, Ref

_SEPARATOR = "\x01"  # keys.by_modified_date / keys.by_name: value, separator, GSID
_PAST = "\x02"  # after the separator: past every key of one value
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_KEY_TEXT = 900
_EQUALITY = frozenset({Operator.EQ, Operator.IN})
_RANGE = frozenset({Operator.GT, Operator.GTE, Operator.LT, Operator.LTE, Operator.BTW, Operator.EQ})
ORDER_INDEX = {"ModifiedDate": "GSI1", "Name": "GSI2"}
# A Query per referenced record (5-20 ms each on DynamoDB, one after the other): 100 of
# them take at most 2 s; past that, another path (bounded by its records) serves.
MAX_PARTITIONS = 100
# Objects whose every record has a Name: required (Company), or made from FirstName and
# LastName when none is given (User: users.service, sync.writers).
_NAMED = frozenset({"Company", "User"})


@dataclass(frozen=True)
class ByKey:
    gsids: tuple[str, ...]


@dataclass(frozen=True)
class ByValue:
    field: str
    values: tuple[str, ...]
    unique: bool  # a unique item names one record; a lookup index item several


@dataclass(frozen=True)
class ByReference:
    field: str
    via: str  # the referenced object
    index: str  # GSI2 or GSI3
    gsids: tuple[str, ...]


@dataclass(frozen=True)
class InIndex:
    """A slice of an ordered index: GSI1 (ModifiedDate) or GSI2 (Name), its sort key
    between ``lower`` and ``upper`` (inclusive; None: open) or beginning with ``prefix``.
    ``in_query_order``: the slice is read in the query's own order, so reading may stop
    once ``offset + limit`` rows matched."""

    field: str
    descending: bool
    in_query_order: bool
    lower: str | None = None
    upper: str | None = None
    prefix: str | None = None

    @property
    def index(self) -> str:
        return ORDER_INDEX[self.field]

    @property
    def keyed(self) -> bool:
        """Whether a key condition narrows the index (else: the whole partition)."""
        return self.lower is not None or self.upper is not None or self.prefix is not None


@dataclass(frozen=True)
class Everything:
    pass


Path = ByKey | ByValue | ByReference | InIndex | Everything
# Paths that read only the records the conditions name (no slice or walk of an index).
NAMED = (ByKey, ByValue, ByReference)


def driving_conditions(query: Query) -> list[Condition]:
    """The conditions every matching row satisfies: those ANDed at the top level."""
    if query.where is None:
        return []
    conditions = query.where.conditions

    def refs(expr: Expr) -> Iterator[int]:
        if isinstance(expr, Ref):
            yield expr.index
        elif isinstance(expr, And):
            for operand in expr.operands:
                yield from refs(operand)

    return [conditions[i] for i in dict.fromkeys(refs(query.where.expr))]


def _fits_key(value: object) -> bool:
    """Text short enough to be part of a key (DynamoDB: 1,024 bytes of a sort key, 2,048
    of a partition key); no stored record's key holds a longer one."""
    return isinstance(value, str) and len(value.encode()) <= _MAX_KEY_TEXT


def _texts(condition: Condition) -> tuple[str, ...] | None:
    """The raw values of an EQ/IN condition, when all are text that fits a key."""
    if condition.operator not in _EQUALITY or not all(_fits_key(v) for v in condition.raw_values):
        return None
    return tuple(dict.fromkeys(str(v) for v in condition.raw_values))


def _gsid_spellings(values: tuple[str, ...]) -> tuple[str, ...]:
    """A GSID as given and in upper case (GSIDs are minted upper case; the engine
    compares them ignoring case)."""
    return tuple(dict.fromkeys(s for v in values for s in (v, v.upper())))


def _iso(millis: int) -> str | None:
    """``clock.iso`` of epoch milliseconds (every writer stores ModifiedDate so); None
    outside the years 1000-9999, where the text no longer sorts as the instants do."""
    try:
        moment = _EPOCH + timedelta(milliseconds=millis)
    except OverflowError:
        return None
    if not 1000 <= moment.year <= 9999:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _modified_range(conditions: list[Condition]) -> tuple[str | None, str | None] | None:
    """GSI1 sort-key bounds (inclusive) from every ModifiedDate range condition; None when
    there is none (or no bound fits the stored text). A sort key is "<ISO><SEP><GSID>":
    ``iso`` is below every key of its instant, ``iso + _PAST`` above all of them."""
    lower: str | None = None
    upper: str | None = None
    for condition in conditions:
        if condition.name != "ModifiedDate" or condition.operator not in _RANGE:
            continue
        instants = [_iso(v) if isinstance(v, int) and not isinstance(v, bool) else None for v in condition.values]
        if not instants or None in instants:
            continue
        first, last = str(instants[0]), str(instants[-1])
        low, high = {
            Operator.GT: (first + _PAST, None),
            Operator.GTE: (first, None),
            Operator.LT: (None, first),
            Operator.LTE: (None, first + _PAST),
            Operator.EQ: (first, first + _PAST),
            Operator.BTW: (first, last + _PAST),
        }[condition.operator]
        if low is not None:
            lower = low if lower is None else max(lower, low)
        if high is not None:
            upper = high if upper is None else min(upper, high)
    if lower is None and upper is None:
        return None
    return lower, upper


def _requested_order(query: Query, obj: ObjectDef) -> tuple[str, bool] | None:
    """(field, descending) when an index keeps exactly the query's order: one field the
    object's indexes order by (Name only when every record has one: the index puts a
    missing name first, the engine last), then Gsid in the same direction."""
    ordered = query.order_fields()
    if not ordered or ordered[0] not in obj.index_ordered or ordered[0] not in ORDER_INDEX:
        return None
    first = query.order_by[0]
    if first.name == "Name" and obj.name not in _NAMED:
        return None
    if ordered[1:] not in ((), ("Gsid",)) or query.order_by[-1].descending != first.descending:
        return None
    return first.name, first.descending


def plan(query: Query, obj: ObjectDef) -> Path:
    """The cheapest access path to a superset of the query's matching rows."""
    conditions = driving_conditions(query)
    shape = obj.shape
    for condition in conditions:
        values = _texts(condition)
        if condition.name == "Gsid" and values and shape.record_key_field is None:
            return ByKey(_gsid_spellings(values))
    if shape.record_key_field is None:  # unique and index items name GSIDs
        for condition in conditions:
            values = _texts(condition)
            if values and condition.name in shape.unique_fields and condition.name not in shape.derived:
                return ByValue(condition.name, values, unique=True)
            if values and condition.name in shape.index_fields and condition.name not in shape.derived:
                return ByValue(condition.name, values, unique=False)
    for condition in conditions:
        values = _texts(condition)
        if values and condition.name in obj.references and len(values) <= MAX_PARTITIONS:
            via, index = obj.references[condition.name]
            return ByReference(condition.name, via, index, _gsid_spellings(values))
    order = _requested_order(query, obj)
    span = _modified_range(conditions) if "ModifiedDate" in obj.index_ordered else None
    prefix = _name_prefix(conditions) if "Name" in obj.index_ordered else None
    if span is not None and span[0] is not None and span[1] is not None and span[0] > span[1]:
        return ByKey(())  # an empty range (BTW upside down): nothing can match
    if span is not None and (prefix is None or (order is not None and order[0] == "ModifiedDate")):
        descending = order[1] if order and order[0] == "ModifiedDate" else False
        in_order = order is not None and order[0] == "ModifiedDate"
        return InIndex("ModifiedDate", descending, in_order, lower=span[0], upper=span[1])
    if prefix is not None:
        descending = order[1] if order and order[0] == "Name" else False
        return InIndex("Name", descending, order is not None and order[0] == "Name", prefix=prefix)
    if order is not None:
        return InIndex(order[0], order[1], True)
    return Everything()


def _name_prefix(conditions: list[Condition]) -> str | None:
    """A GSI2 sort-key prefix from Name STARTS_WITH (the lower-cased text) or Name EQ (the
    whole lower-cased name and the separator)."""
    for condition in conditions:
        if condition.name != "Name" or len(condition.values) != 1 or not isinstance(condition.values[0], str):
            continue
        if not _fits_key(condition.values[0]):
            continue
        if condition.operator is Operator.STARTS_WITH and condition.values[0]:
            return condition.values[0]
        if condition.operator is Operator.EQ:
            return condition.values[0] + _SEPARATOR
    return None


def usable(obj: ObjectDef) -> str:
    """What a query on ``obj`` can use to read only part of it, for the 400 that refuses a
    read past the bound."""
    shape = obj.shape
    equality = ["Gsid"] if shape.record_key_field is None else []
    if shape.record_key_field is None:
        equality += [f for f in (*shape.unique_fields, *shape.index_fields) if f not in shape.derived]
    equality += list(obj.references)
    parts = [f"EQ/IN on {', '.join(equality)}"] if equality else []
    if "ModifiedDate" in obj.index_ordered:
        parts.append("GT/GTE/LT/LTE/BTW on ModifiedDate")
    if "Name" in obj.index_ordered:
        parts.append("STARTS_WITH or EQ on Name")
    orders = [f for f in sorted(obj.index_ordered) if f != "Name" or obj.name in _NAMED]
    parts.append(f"or an orderBy on {' or '.join(orders)} without includeTotal")
    return "; ".join(parts)
