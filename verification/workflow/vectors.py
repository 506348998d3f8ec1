"""Embedding vectors from outside (a JSON file, a caller): plain finite numbers, bounded length."""

from __future__ import annotations

import math
import numbers
from typing import Any

from verification.errors import DirectoryError


def finite_vector(values: Any, what: str, max_length: int) -> list[float]:
    """`values` as floats, or a one-line refusal naming the first element that is not a finite number."""
    if not isinstance(values, (list, tuple)) or not 1 <= len(values) <= max_length:
        raise DirectoryError(f"{what} must be a list of 1 to {max_length} numbers")
    vector = []
    for index, value in enumerate(values):
        # bool is an int in Python, and a string such as "nan" converts: neither is an embedding value
        try:
            number = math.nan if isinstance(value, bool) or not isinstance(value, numbers.Real) else float(value)
        except OverflowError:  # an int beyond float range
            number = math.inf
        if not math.isfinite(number):
            raise DirectoryError(f"{what}: element {index} is {str(value)[:40]!r}, not a finite number")
        vector.append(number)
    return vector
