"""Rows read by column name into the dataclasses of core.models."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def from_row(model: type[T], row: sqlite3.Row, **convert: Callable[[Any], Any]) -> T:
    """`model` built from the row's columns of the same names, those named in `convert` passed through it."""
    values = {field.name: row[field.name] for field in fields(model)}
    for name, function in convert.items():
        values[name] = function(values[name])
    return model(**values)
