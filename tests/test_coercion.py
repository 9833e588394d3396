"""cli/coercion.py gives every option value exactly what typer's own (pydantic) coercion gives: the
same value, or the same usage error in the same words."""

from __future__ import annotations

import enum
from types import SimpleNamespace
from typing import Any

import pytest
import typer
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import OptionInfo

from okxlink.cli import coercion

Site = enum.Enum("Site", [("global_", "global"), ("eea", "eea"), ("us", "us")], type=str)  # type: ignore[misc]
PARAM = SimpleNamespace(multiple=False, nargs=1, get_error_hint=lambda *_: "--opt")


def outcome(runtime: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=PARAM, ctx=None)
    except typer.BadParameter as exc:
        return "error", exc.format_message()


CASES = [(str, "default"), (str, "名字"), (str, ""), (str, "bad\udcff"), (str, None), (str, b"bytes"),
         (bool, True), (bool, False), (bool, None), (bool, "yes"), (bool, "nope"),
         (Site, "eea"), (Site, Site.us), (Site, "EEA"), (Site, "fr"), (Site, ""), (Site, None),
         (float, "30"), (float, "x")]


@pytest.mark.parametrize(("annotation", "value"), CASES, ids=[f"{a.__name__}-{v!r}" for a, v in CASES])
def test_same_outcome_as_typers_own(annotation, value):
    descriptor = resolve_type_descriptor(annotation, OptionInfo())
    ours, typers = outcome(coercion.runtime_param(descriptor), value), outcome(build_runtime_param(descriptor), value)
    assert ours == typers
    assert type(ours[1]) is type(typers[1])


def test_certain_values_are_coerced_without_building_an_adapter(monkeypatch):
    def no_adapter(descriptor):
        raise AssertionError(f"typer's adapter built for {descriptor.annotation}")

    monkeypatch.setattr(coercion, "_ORIGINAL", no_adapter)
    for annotation, value, expected in [(str, "default", "default"), (bool, False, False), (Site, "eea", Site.eea),
                                        (Site, None, None), (str, None, None)]:
        runtime = coercion.runtime_param(resolve_type_descriptor(annotation, OptionInfo()))
        assert runtime.coerce(value, param=PARAM, ctx=None) == expected
