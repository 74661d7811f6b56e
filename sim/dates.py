"""Calendar months: one type for a date that the model resolves to the month.

Policy dates (ESD from April 2027, SSW from April 2019, the bridging status's windows, a
nationality's period of higher absconding) are :class:`YearMonth` values: in scenario files a
string ``"2027-04"`` (or a table ``{year = 2027, month = 4}``), in code a frozen, ordered value
with month arithmetic, so that no module writes ``year * 12 + month`` by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic_core import core_schema

MONTHS_A_YEAR = 12
#: The years a date in a scenario may name (the tables' calendar years: ``sim.scenario_schema.Year``).
FIRST_YEAR, LAST_YEAR = 1990, 2100
_TEXT = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class YearMonth:
    """A calendar month: ``YearMonth(2027, 4)`` is April 2027. Ordered (earlier < later);
    ``ym + 3`` is three months later, ``later.months_since(earlier)`` the months between."""

    year: int
    month: int  # 1 (January) to 12 (December)

    #: What a scenario file may write, for error messages (``sim.schema.allowed``).
    ALLOWED: ClassVar[str] = (
        f'a year and month in quotes, "YYYY-MM" (e.g. "2027-04"; years {FIRST_YEAR} to {LAST_YEAR}, months 01 to 12), '
        "or a table {year = 2027, month = 4}"
    )

    def __post_init__(self) -> None:
        for name in ("year", "month"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"the {name} must be a whole number, not {value!r}")
        if not 1 <= self.month <= MONTHS_A_YEAR:
            raise ValueError(f"month {self.month} is not a month (1 to 12)")

    @property
    def index(self) -> int:
        """Months since January of year 0: ``year * 12 + month - 1`` (consecutive months differ by 1)."""
        return self.year * MONTHS_A_YEAR + self.month - 1

    @staticmethod
    def split_index(index: Any) -> tuple[Any, Any]:
        """(year, month) of a month index (``index``): whole numbers or numpy arrays of them."""
        return index // MONTHS_A_YEAR, index % MONTHS_A_YEAR + 1

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        """The month of a month index (the inverse of ``index``)."""
        year, month = cls.split_index(int(index))
        return cls(year, month)

    def __add__(self, months: int) -> YearMonth:
        """The month ``months`` months later (earlier if negative)."""
        if not isinstance(months, int) or isinstance(months, bool):
            return NotImplemented
        return YearMonth.from_index(self.index + months)

    def __sub__(self, months: int) -> YearMonth:
        """The month ``months`` months earlier (for the months between two dates: ``months_since``)."""
        if not isinstance(months, int) or isinstance(months, bool):
            return NotImplemented
        return YearMonth.from_index(self.index - months)

    def months_since(self, other: YearMonth) -> int:
        """Months from ``other`` to this month: 0 for the same month, negative if this one is earlier."""
        return self.index - other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def parse(cls, value: Any) -> YearMonth:
        """A YearMonth from what a scenario file holds: ``"2027-04"``, ``{year = 2027, month = 4}`` or a YearMonth.

        Raises:
            ValueError: what is wrong and what is allowed, as one line (the schema's error
                machinery adds the file, the key and the value).
        """
        if isinstance(value, YearMonth):
            return value
        if isinstance(value, str):
            found = _TEXT.fullmatch(value.strip())
            if found is None:
                raise ValueError(f"not a year and month; allowed: {cls.ALLOWED}")
            year, month = int(found.group(1)), int(found.group(2))
        elif isinstance(value, dict):
            if set(value) != {"year", "month"}:
                raise ValueError(f"a table needs the keys year and month and no others; allowed: {cls.ALLOWED}")
            year, month = value["year"], value["month"]
            if any(not isinstance(v, int) or isinstance(v, bool) for v in (year, month)):
                raise ValueError(f"year and month must be whole numbers; allowed: {cls.ALLOWED}")
        else:
            raise ValueError(f"wrong type; allowed: {cls.ALLOWED}")
        if not 1 <= month <= MONTHS_A_YEAR:
            raise ValueError(f"month {month} is not a month; allowed: {cls.ALLOWED}")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} is out of range; allowed: {cls.ALLOWED}")
        return cls(year, month)

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: Any) -> core_schema.CoreSchema:
        """Validated by ``parse``; dumped (``model_dump()``, JSON) as a file writes it, ``"YYYY-MM"``."""
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="unless-none")
        )


__all__ = ["MONTHS_A_YEAR", "YearMonth"]
