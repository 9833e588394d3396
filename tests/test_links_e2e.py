"""One key, several platforms: `okxlink link` to a second service keeps the first, `unlink` withdraws
it from the one named (after asking), `remove` withdraws it from every one before forgetting the
profile, and never forgets a profile whose key a service it cannot reach still holds.

End to end: two simulators, each with its own reference link service and token, serving the same
accounts (so both verify the same keys); okxlink as real processes with the real Secret Service
keyring; each service asked what it holds (GET /v1/links with its own token). The questions are
tested in this process (tests/inproc.py) against the same services, with a scripted asker.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest

from okxlink.core.credentials import mask
from okxlink.core.urls import host_of
from okxlink.sim.accounts import Account, dump_accounts
from okxlink.sim.child import SimChild
from okxlink.storage import MemoryStore

from conftest import clean_env, okxlink, start_sim
from inproc import InProcess
from real_keyring import secret_service  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
ACCOUNTS = 12  # a key per test: a service holds one link per key
NAMES = count()


@dataclasses.dataclass
class Services:
    a: SimChild
    b: SimChild
    accounts: Path  # the accounts file both serve (a third simulator may serve it too)

    def key(self) -> dict[str, Any]:
        """A key of this test's own."""
        return self.a.account(f"k{next(NAMES)}")


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> Iterator[Services]:
    path = tmp_path_factory.mktemp("links") / "accounts.json"
    path.write_text(json.dumps(dump_accounts([Account(name=f"k{i}") for i in range(ACCOUNTS)])))
    a = start_sim("--accounts", str(path))
    b = start_sim("--accounts", str(path))
    yield Services(a, b, path)
    a.stop()
    b.stop()


def held(sim: SimChild) -> list[str]:
    """The keys (masked) the service holds, as it says with its own token."""
    r = httpx.get(sim.link_url + "/v1/links", headers={"Authorization": f"Bearer {sim.link_token}"}, timeout=10)
    r.raise_for_status()
    return [x["api_key"] for x in r.json()["links"]]


def payload(key: dict[str, Any]) -> str:
    return json.dumps({k: key[k] for k in ("api_key", "secret_key", "passphrase")})


# --- real processes ---------------------------------------------------------------------------------

@pytest.fixture()
def env(secret_service, services, tmp_path):  # noqa: F811
    keep = ("NO_COLOR", "OKXLINK_CONFIG_DIR", "LANG", "PYTHONUNBUFFERED", "COLUMNS")
    return secret_service.env(**{k: v for k, v in clean_env(tmp_path).items() if k in keep},
                              OKXLINK_BASE_URL=services.a.template)


def setup(env: dict[str, str], key: dict[str, Any], profile: str) -> None:
    r = okxlink("setup", "--profile", profile, "--stdin", env=env, stdin=payload(key))
    assert r.code == 0, r.out + r.err


def link(env: dict[str, str], profile: str, sim: SimChild) -> dict[str, Any]:
    """Linked with that service's token, given for it (then kept in the keyring for its URL)."""
    r = okxlink("link", "--profile", profile, "--yes", "--json", "--service", sim.link_url,
                env={**env, "OKXLINK_LINK_TOKEN": sim.link_token})
    assert r.code == 0, r.err
    found: dict[str, Any] = r.json()
    return found


def profiles(env: dict[str, str]) -> list[str]:
    return [p["name"] for p in okxlink("profiles", "--json", env=env).json()["profiles"]]


def links_of(env: dict[str, str], profile: str) -> list[dict[str, Any]]:
    rows = {p["name"]: p for p in okxlink("status", "--offline", "--json", env=env).json()["profiles"]}
    found: list[dict[str, Any]] = rows[profile]["links"]
    return found


def test_two_services_each_hold_the_key_until_it_is_withdrawn_there(env, services):
    """Linking to B used to replace the record of A: A kept the key (and kept copying) and okxlink
    no longer knew it. Now both are recorded, and unlink withdraws it from the one named."""
    a, b, key = services.a, services.b, services.key()
    masked = mask(key["api_key"])
    setup(env, key, "links-two")
    at_a, at_b = link(env, "links-two", a), link(env, "links-two", b)
    assert link(env, "links-two", a)["id"] == at_a["id"]  # again: a no-op
    r = okxlink("status", "--json", env=env)
    (row,) = [p for p in r.json()["profiles"] if p["name"] == "links-two"]
    assert {(x["service"], x["id"]) for x in row["links"]} == {(a.link_url, at_a["id"]), (b.link_url, at_b["id"])}
    assert masked in held(a) and masked in held(b)

    # no terminal: without --yes nothing is withdrawn; with it, which service must be said
    r = okxlink("unlink", "--profile", "links-two", "--service", a.link_url, env=env)
    assert r.code == 2 and "--yes" in r.err and r.out == "", r.err
    r = okxlink("unlink", "--profile", "links-two", "--yes", env=env)
    assert r.code == 2 and host_of(a.link_url) in r.err and host_of(b.link_url) in r.err, r.err
    assert "--service URL, or --all" in r.err
    assert masked in held(a) and masked in held(b)

    r = okxlink("unlink", "--profile", "links-two", "--service", b.link_url + "/", "--yes", "--json", env=env)
    assert r.code == 0, r.err
    assert r.json() == {"profile": "links-two", "service": b.link_url, "id": at_b["id"],
                        "unlinked": True, "withdrawn": [{"service": b.link_url, "id": at_b["id"]}]}
    assert masked not in held(b) and masked in held(a)
    assert [x["service"] for x in links_of(env, "links-two")] == [a.link_url]


def test_unlink_all_withdraws_it_everywhere(env, services):
    a, b, key = services.a, services.b, services.key()
    setup(env, key, "links-all")
    link(env, "links-all", a)
    link(env, "links-all", b)
    r = okxlink("unlink", "--profile", "links-all", "--all", "--yes", env=env)
    assert r.code == 0, r.err
    assert r.out.splitlines() == [f"Unlinked profile links-all from {host_of(a.link_url)}.",
                                  f"Unlinked profile links-all from {host_of(b.link_url)}."]
    assert mask(key["api_key"]) not in held(a) + held(b)
    assert links_of(env, "links-all") == []
    r = okxlink("unlink", "--profile", "links-all", "--yes", env=env)
    assert (r.code, r.out) == (0, "Profile links-all is not linked.\n"), r.err


def test_remove_withdraws_the_key_from_every_service(env, services, secret_service):  # noqa: F811
    a, b, key = services.a, services.b, services.key()
    setup(env, key, "links-remove")
    link(env, "links-remove", a)
    link(env, "links-remove", b)
    r = okxlink("remove", "--profile", "links-remove", "--yes", env=env)
    assert r.code == 0, r.err
    assert f"Unlinked profile links-remove from {host_of(a.link_url)}." in r.out
    assert f"Unlinked profile links-remove from {host_of(b.link_url)}." in r.out
    assert "withdraw it there" not in r.out and "still linked" not in r.out
    assert mask(key["api_key"]) not in held(a) + held(b)
    assert "links-remove" not in profiles(env) and secret_service.lookup("links-remove") is None


def test_remove_keeps_a_profile_a_service_it_cannot_reach_still_holds(env, services, secret_service):  # noqa: F811
    """The one record that knows where the key is stays until that service answers, or until
    --keep-links says to remove the profile anyway (and then says where the key remains)."""
    a, key = services.a, services.key()
    masked = mask(key["api_key"])
    setup(env, key, "links-down")
    link(env, "links-down", a)
    c = start_sim("--accounts", str(services.accounts))
    try:
        at_c = link(env, "links-down", c)
    finally:
        c.stop()  # the platform goes away, holding the key
    r = okxlink("remove", "--profile", "links-down", "--yes", env=env)
    assert r.code == 4, r.out + r.err
    assert "links-down" in profiles(env) and secret_service.lookup("links-down") is not None
    assert masked not in held(a)  # withdrawn where it could be, and no longer recorded there
    assert [(x["service"], x["id"]) for x in links_of(env, "links-down")] == [(c.link_url, at_c["id"])]
    assert f"Unlinked profile links-down from {host_of(a.link_url)}." in r.out
    assert f"The key {masked} is still linked to {host_of(c.link_url)} (link {at_c['id']})." in r.out
    assert "--keep-links" in r.err

    r = okxlink("remove", "--profile", "links-down", "--yes", "--keep-links", env=env)
    assert r.code == 0, r.err
    assert f"The key {masked} is still linked to {host_of(c.link_url)} (link {at_c['id']})." in r.out
    assert "links-down" not in profiles(env) and secret_service.lookup("links-down") is None


# --- the questions, in this process -------------------------------------------------------------

def linked(tmp_path: Path, services: Services, *sims: SimChild) -> tuple[InProcess, dict[str, Any]]:
    """okxlink in this process with a key of its own stored as `main` and linked to `sims`."""
    run = InProcess(tmp_path / "config", base_url=services.a.template)
    key = services.key()
    r = run("setup", "--profile", "main", "--stdin", stdin=payload(key))
    assert r.code == 0, r.out + r.err
    for sim in sims:
        r = dataclasses.replace(run, link_url=sim.link_url, link_token=sim.link_token)("link", "--profile", "main",
                                                                                      "--yes")
        assert r.code == 0, r.err
    return run, key


def test_unlink_asks_first_and_no_withdraws_nothing(tmp_path, services, script):
    a = services.a
    run, key = linked(tmp_path, services, a)
    asker = script({"unlink": False})
    r = run("unlink", "--profile", "main", asker=asker)
    assert (r.code, r.out) == (0, "Nothing was withdrawn.\n"), r.err
    assert asker.messages == [f"Withdraw key {mask(key['api_key'])} from {host_of(a.link_url)}? Copying there stops."]
    assert mask(key["api_key"]) in held(a)
    r = run("unlink", "--profile", "main", asker=script({"unlink": True}))
    assert r.code == 0 and mask(key["api_key"]) not in held(a), r.err


def test_unlink_offers_the_services_to_choose_from(tmp_path, services, script):
    a, b = services.a, services.b
    run, key = linked(tmp_path, services, a, b)
    asker = script({"unlink-service": b.link_url, "unlink": True})
    r = run("unlink", "--profile", "main", "--json", asker=asker)
    assert r.code == 0, r.err
    assert asker.asked == ["unlink-service", "unlink"]
    assert [x["service"] for x in r.json()["withdrawn"]] == [b.link_url]
    assert mask(key["api_key"]) in held(a) and mask(key["api_key"]) not in held(b)


def test_link_asks_for_the_service_and_keeps_the_others(tmp_path, services, script):
    """In a terminal with no --service (nor OKXLINK_LINK_URL): the address is asked, the profile's
    one service offered. Another service then gets the key too; the first keeps it."""
    a, b = services.a, services.b
    run, key = linked(tmp_path, services, a)
    asker = script({"link-service": None})  # the default: the one it is linked to, a no-op
    r = run("link", "--profile", "main", asker=asker)
    assert r.code == 0 and r.out == f"Linked to {host_of(a.link_url)}: Spot ready.\n", r.out + r.err
    assert asker.asked == ["link-service"]
    asker = script({"link-service": b.link_url, "send-key": True, "link-token": b.link_token})
    r = run("link", "--profile", "main", asker=asker)
    assert r.code == 0, r.err
    assert asker.asked == ["link-service", "send-key", "link-token"]
    assert f"at {host_of(b.link_url)} (hidden)" in asker.messages[-1]  # which platform's token
    assert mask(key["api_key"]) in held(a) and mask(key["api_key"]) in held(b)


def test_link_without_a_terminal_uses_the_one_service(tmp_path, services):
    a, b = services.a, services.b
    run, _key = linked(tmp_path, services, a)
    r = run("link", "--profile", "main", "--json")  # a script linking again: a no-op
    assert r.code == 0 and r.json()["service"] == a.link_url, r.err
    dataclasses.replace(run, link_url=b.link_url, link_token=b.link_token)("link", "--profile", "main", "--yes")
    r = run("link", "--profile", "main")
    assert r.code == 2 and "No linking service given" in r.err, r.err


def test_remove_asks_naming_every_host_and_needs_every_token_first(tmp_path, services, script):
    a, b = services.a, services.b
    run, key = linked(tmp_path, services, a, b)
    # the same profile and secret, but no token kept for B (another machine's keyring, say)
    secrets = MemoryStore()
    creds = run.secrets.get("main")
    assert creds is not None
    secrets.set("main", creds)
    secrets.set_token(a.link_url, a.link_token)
    other = dataclasses.replace(run, secrets=secrets)
    r = other("remove", "--profile", "main", "--yes")
    assert r.code == 2 and f"No token for the linking service at {host_of(b.link_url)}" in r.err, r.err
    assert "OKXLINK_LINK_TOKEN" in r.err and "--keep-links" in r.err
    assert mask(key["api_key"]) in held(a) and mask(key["api_key"]) in held(b)  # nothing withdrawn
    asker = script({"remove-profile": True})
    r = run("remove", "--profile", "main", asker=asker)
    assert r.code == 0, r.err
    assert asker.messages[0].endswith(f"Its key will first be withdrawn from {host_of(a.link_url)}, "
                                      f"{host_of(b.link_url)}.")
    assert mask(key["api_key"]) not in held(a) + held(b)
