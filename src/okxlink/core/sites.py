"""OKX sites (regions): REST base, web pages, and the base-URL override."""

from __future__ import annotations

from dataclasses import dataclass

from okxlink.i18n import N_, _

SITES = ("global", "eea", "us", "tr")
DEMO_HEADER = {"x-simulated-trading": "1"}


@dataclass(frozen=True)
class Site:
    name: str
    rest: str
    web: str

    def api_page(self, demo: bool) -> str:
        """The page where keys are made, opened on the live or demo tab as OKX's own kit does."""
        tab = "go-demo-trading" if demo else "go-live-trading"
        return f"{self.web}/account/my-api?{tab}=1"

    def signup_page(self) -> str:
        return f"{self.web}/account/register"


_SITES = {
    "global": Site("global", "https://www.okx.com", "https://www.okx.com"),
    "eea": Site("eea", "https://eea.okx.com", "https://my.okx.com"),
    "us": Site("us", "https://us.okx.com", "https://app.okx.com"),
    "tr": Site("tr", "https://tr.okx.com", "https://tr.okx.com"),
}


_LABELS = {"global": N_("global site"), "eea": N_("EEA site"), "us": N_("US site"), "tr": N_("Türkiye site")}


def label(name: str) -> str:
    """The site as users call it, in their language (ids like `eea` stay for flags and JSON)."""
    return _(_LABELS[name]) if name in _LABELS else name


def env_label(demo: bool) -> str:
    return _("demo") if demo else _("live")


def describe(name: str, demo: bool) -> str:
    """"global site · live": where a key works, in the user's words."""
    return f"{label(name)} · {env_label(demo)}"


def site(name: str) -> Site:
    return _SITES[name]


def rest_base(name: str, override: str | None = None) -> str:
    """REST base for a site. `override` (the settings' base URL) wins; a `{site}` in it is replaced by
    the site's name, which is how one OKX-compatible server (the simulator) can stand for every site."""
    if override:
        return override.replace("{site}", name).rstrip("/")
    return _SITES[name].rest


def probes_other_sites(override: str | None = None) -> bool:
    """Probing other sites only means something when they are different servers."""
    return not override or "{site}" in override
