"""Build hook: compile the .po catalogs to .mo, so every install (wheel or editable) has them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

sys.path.insert(0, str(Path(__file__).parent / "src"))
from okxlink._msgfmt import compile_tree  # noqa: E402


class CompileCatalogs(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        compile_tree(Path(self.root) / "src" / "okxlink" / "locales")
