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

    @property
    def web_host(self) -> str:
        """"my.okx.com": the address users know the site by."""
        return self.web.removeprefix("https://")


_SITES = {
    "global": Site("global", "https://www.okx.com", "https://www.okx.com"),
    "eea": Site("eea", "https://eea.okx.com", "https://my.okx.com"),
    "us": Site("us", "https://us.okx.com", "https://app.okx.com"),
    "tr": Site("tr", "https://tr.okx.com", "https://tr.okx.com"),
}


# OKX's own names: its kit lists Global, EEA and US, and its entities trade as OKX EEA, OKX US and
# OKX TR. One style everywhere: the short name where OKX is already said (a column, "OKX key … ·
# Global · live"), "OKX Global" in a sentence. Ids (`eea`) stay for flags and JSON.
_NAMES = {"global": N_("Global"), "eea": N_("EEA"), "us": N_("US"), "tr": N_("TR")}


def short_label(name: str) -> str:
    """The site's name where OKX is already said: "Global", "EEA", in the user's language."""
    return _(_NAMES[name]) if name in _NAMES else name


def label(name: str) -> str:
    """The site as users call it in a sentence: "OKX Global", "OKX EEA"."""
    return _("OKX {site}").format(site=short_label(name))


def env_label(demo: bool) -> str:
    return _("demo") if demo else _("live")


def describe(name: str, demo: bool) -> str:
    """"Global · live": where a key works, in the user's words."""
    return f"{short_label(name)} · {env_label(demo)}"


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
