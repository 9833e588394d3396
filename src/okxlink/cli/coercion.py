"""typer's coercion of option values, without pydantic where the result is certain.

typer (>= 0.2x) builds a pydantic TypeAdapter for every option it processes, even one left at its
default (`None`, `--profile default`): importing pydantic and building the adapters is most of the
start-up of `okxlink status --offline` and `verify --json`. Here a str stays that str, a bool that
bool, and an Enum option takes typer's own choice rule (`coerce_cli_choice`, which is pydantic-free);
anything else — and every value those refuse — goes to typer's adapter as before, so its results and
its error messages are typer's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import typer.core
from typer._coercion import RuntimeParam, TypeDescriptor
from typer._coercion import build_runtime_param as typer_runtime_param
from typer._param_types import coerce_cli_choice

_ORIGINAL = typer_runtime_param


def install() -> None:
    """Every typer option built from here on coerces its values through `runtime_param`."""
    typer.core.build_runtime_param = runtime_param  # type: ignore[attr-defined]  # the name get_runtime_param calls


def runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
    annotation = descriptor.annotation
    plain = annotation in (str, bool) or (isinstance(annotation, type) and issubclass(annotation, Enum))
    if not plain or descriptor.file_annotation is not None or descriptor.parameter_info.parser is not None:
        return _ORIGINAL(descriptor)
    return Certain(parameter_info=descriptor.parameter_info, annotation=annotation, descriptor=descriptor)


@dataclass(frozen=True)
class Certain(RuntimeParam):
    """A str, bool or Enum option: the values whose coercion is certain without pydantic."""

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        annotation = self.annotation
        if annotation is str and isinstance(value, str) and _unicode(value):
            return str(value)
        if annotation is bool and isinstance(value, bool):
            return value
        if annotation not in (str, bool):
            try:
                return coerce_cli_choice(value, choices=tuple(annotation),
                                         case_sensitive=self.parameter_info.case_sensitive, ctx=ctx)
            except ValueError:
                pass  # refused: typer's adapter says so, in its own words
        return _ORIGINAL(self.descriptor)._coerce_value(value, param=param, ctx=ctx)


def _unicode(value: str) -> bool:
    """pydantic refuses a str it cannot encode (a lone surrogate from an undecodable argv byte)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
