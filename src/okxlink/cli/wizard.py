"""`okxlink setup`: the guided wizard. Its steps are data (`STEPS`), each with a title and a why;
the engine runs them in order over one `State`, after choosing the profile's name, and ends with
one line saying whose key was saved (as `gh auth login` ends with "Logged in as …"). Everything
outside — asking, verifying, saving, linking, opening a browser — is passed in, so tests drive it
with a scripted asker and no terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from okxlink.cli.ask import Asker
from okxlink.cli.ui import UI
from okxlink.core import sites
from okxlink.core.credentials import (
    Credentials,
    clean,
    clean_passphrase,
    generate_passphrase,
    looks_swapped,
    passphrase_meets_rule,
)
from okxlink.core.secret import SecretStr
from okxlink.core.verify import Report
from okxlink.errors import WizardQuit
from okxlink.i18n import N_, _
from okxlink.text import plain

__all__ = ["STEPS", "State", "Step", "Wizard", "WizardQuit", "summary"]


@dataclass
class State:
    profile: str = "default"
    site: str = "global"          # "auto" until the key tells
    demo: bool = False
    api_key: str = ""
    secret: SecretStr = SecretStr("")
    passphrase: SecretStr = SecretStr("")
    generated: SecretStr | None = None
    report: Report | None = None
    prefill: Credentials | None = None   # the demo's fake key, pasted for the user
    saved: bool = False

    def web_site(self) -> sites.Site:
        """The site whose pages to show; before the key tells ("auto"), the global one."""
        return sites.site("global" if self.site == "auto" else self.site)

    def creds(self) -> Credentials:
        return Credentials(api_key=self.api_key, secret_key=self.secret, passphrase=self.passphrase)


@dataclass
class Wizard:
    ask: Asker
    ui: UI
    verify: Callable[[Credentials, str, bool], Report]
    save: Callable[[State], None]
    # webbrowser.open fits: False means no browser opened. None: no browser can open here, so
    # the page is shown and nothing is offered.
    open_url: Callable[[str], object] | None = lambda url: None
    unattended: bool = False
    link: Callable[[State], None] | None = None  # None: not linking in this run (--no-link)
    rotating: bool = False  # okxlink rotate: the new key must be of the old one's site and environment
    # Before step 1: a name that is taken is settled before the user spends ten minutes on OKX.
    choose_profile: Callable[[State], None] | None = None
    state: State = field(default_factory=State)

    def run(self) -> State:
        if self.choose_profile is not None:
            self.choose_profile(self.state)
        for number, step in enumerate(STEPS, 1):
            self.ui.step(number, len(STEPS), _(step.title), _(step.why))
            step.action(self)
        if self.state.saved:
            self.ui.say("")
            self.ui.say("✓ " + summary(self.state))
        return self.state

    def offer_page(self, url: str) -> None:
        self.ui.say(_("Page: {url}").format(url=url))
        if self.unattended or self.open_url is None:
            return
        if self.ask.confirm("open-page", _("Open it in your browser?"), default=False) and self.open_url(url) is False:
            self.ui.say(_("No browser opened here; open this address on another device: {url}").format(url=url))


# -- steps ---------------------------------------------------------------------------------------
def step_site(w: Wizard) -> None:
    choices = [(name, _("{site} ({host})").format(site=sites.short_label(name), host=sites.site(name).web_host))
               for name in sites.SITES]
    choices.append(("auto", _("Not sure: detect it from the key")))
    w.state.site = w.ask.select("site", _("Which OKX site do you use?"), choices, default=w.state.site)


def step_account(w: Wizard) -> None:
    if w.ask.confirm("have-account", _("Do you have an OKX account?"), default=True):
        return
    page = w.state.web_site().signup_page()
    w.ui.say(_("Sign up first, finish identity verification, then come back."))
    w.offer_page(page)
    if not w.ask.confirm("account-ready", _("Continue once your account is ready?"), default=True):
        raise WizardQuit(_("Stopped before creating a key; nothing was saved."),
                         _("Run okxlink setup again when your account is ready."))


def step_2fa(w: Wizard) -> None:
    w.ui.say(_("On OKX: Profile → Security → turn on an authenticator app (recommended) or phone "
               "verification."))
    if not w.ask.confirm("2fa-on", _("Is two-factor authentication on?"), default=True):
        w.ui.say(_("OKX will not create API keys until it is. Turn it on now; this wizard waits."))
        w.ask.confirm("2fa-done", _("Done?"), default=True)


def step_environment(w: Wizard) -> None:
    choices = [("live", _("Live trading (real money)")),
               ("demo", _("Demo trading (made under Trade → Demo trading → API)"))]
    w.state.demo = w.ask.select("environment", _("Is the key for live or demo trading?"), choices,
                                default="demo" if w.state.demo else "live") == "demo"


def step_create_key(w: Wizard) -> None:
    page = w.state.web_site().api_page(w.state.demo)
    w.ui.say(_("On OKX's API page, choose Create API key (V5)."))
    w.offer_page(page)
    linked = w.ask.select("key-use", _("How will your platform use the key?"), [
        ("third-party", _("Linking third-party apps: pick the platform, OKX binds its IPs (recommended)")),
        ("self", _("A self-managed API key"))], default="third-party") == "third-party"
    # Unattended runs may be logged: never print a secret there.
    if not w.unattended and w.ask.confirm("generate-passphrase",
                                          _("Generate a strong passphrase for you to paste into OKX?"),
                                          default=True):
        w.state.generated = SecretStr(generate_passphrase())
        w.ui.reveal(_("Your new passphrase (shown once; OKX cannot recover it, keep it safe):"),
                    w.state.generated)
    w.ui.say(_("Permissions: tick Read and Trade. Never tick Withdraw."))
    if linked:
        w.ui.say(_("OKX binds the platform's IP addresses; this machine will not be able to use "
                   "the key, and that is expected."))
    else:
        w.ui.say(_("Bind your platform's IP addresses: OKX deletes a live key with Trade and no bound "
                   "IP after 14 days without use."))
    w.ask.confirm("key-created", _("Created the key and copied key, secret and passphrase?"), default=True)


def step_paste(w: Wizard, only: str | None = None) -> None:
    s = w.state
    if s.prefill is not None and only is None:
        w.ui.say(_("Demo: the simulator's fake key is pasted for you."))
        s.api_key, s.secret, s.passphrase = (s.prefill.api_key, s.prefill.secret_key,
                                            s.prefill.passphrase)
        return
    if only in (None, "key"):
        s.api_key = clean(w.ask.text("api-key", _("API key:"), default=s.api_key))
    if only in (None, "secret"):
        s.secret = SecretStr(clean(w.ask.secret("secret-key", _("Secret key (hidden):"))))
    if only in (None, "passphrase"):
        if s.generated is not None and only is None and w.ask.confirm(
                "use-generated", _("Use the passphrase generated above?"), default=True):
            s.passphrase = s.generated
        else:
            s.passphrase = SecretStr(clean_passphrase(w.ask.secret("passphrase", _("Passphrase (hidden):"))))
    if looks_swapped(s.api_key, s.secret.get_secret_value()) and w.ask.confirm(
            "swap-back", _("The API key and the secret key look swapped. Swap them back?"), default=True):
        s.api_key, s.secret = s.secret.get_secret_value(), SecretStr(s.api_key)
    if s.passphrase.get_secret_value() and not passphrase_meets_rule(s.passphrase.get_secret_value()):
        w.ui.say(_("Note: this passphrase does not meet OKX's usual rule (8-32 characters with upper "
                   "and lower case, a digit and a symbol); if OKX accepted it, that is fine."))


RETRY_CHOICES = (("key", N_("Re-type the API key")), ("secret", N_("Re-type the secret key")),
                 ("passphrase", N_("Re-type the passphrase")),
                 ("again", N_("Check again (after fixing it on OKX)")),
                 ("quit", N_("Quit without saving")))


def step_verify(w: Wizard) -> None:
    s = w.state
    while True:
        s.report = report = w.verify(s.creds(), s.site, s.demo)
        s.site = report.site
        w.ui.report(as_said_in_wizard(report), wizard=True)
        if report.ready:
            return
        if report.key_site and not w.rotating and w.ask.confirm(
                "switch-site", _("Use {site}, where this key belongs?").format(site=sites.label(report.key_site)),
                default=True):
            s.site = report.key_site
            continue
        if report.okx_code == "50101" and not w.rotating and w.ask.confirm(
                "switch-env", _("Switch to {env} trading?").format(env=sites.env_label(not s.demo)), default=True):
            s.demo = not s.demo
            continue
        if report.okx_code == "50110" and w.ask.confirm(
                "keep-unverified", _("Keep this key without verifying it here? Your platform, whose IPs it is bound "
                  "to, will verify it."), default=True):
            return
        if w.unattended:
            raise WizardQuit(_("The key is not ready; nothing was saved."),
                             _("Fix the problems shown above and run okxlink setup again."))
        default = report.retype or "again"  # the field OKX's code points at (core/codes.py)
        choice = w.ask.select("retry", _("What would you like to do?"),
                              [(v, _(label)) for v, label in RETRY_CHOICES], default=default)
        if choice == "quit":
            raise WizardQuit(_("Stopped; nothing was saved."), None)
        if choice != "again":
            step_paste(w, only=choice)


def as_said_in_wizard(report: Report) -> Report:
    """The report with each check's fix as the wizard says it: flags and commands are for the
    commands; here the next question offers the way on."""
    checks = [c if c.wizard_fix is None else replace(c, fix=c.wizard_fix or None) for c in report.checks]
    return replace(report, checks=checks)


def step_store(w: Wizard) -> None:
    w.save(w.state)
    w.state.saved = True


def step_link(w: Wizard) -> None:
    if w.link is not None:
        w.link(w.state)
    else:
        w.ui.say(link_later(w.state.profile))


def link_later(profile: str) -> str:
    return _("Not linked; you can link later with okxlink link --profile {name}.").format(name=profile)


def summary(s: State) -> str:
    """One line naming whose key the profile holds. A key bound to the platform's IPs tells this
    machine nothing about its account (50110), so then only the key, site and environment."""
    key, site, env = plain(s.creds().masked_key()), sites.label(s.site), sites.env_label(s.demo)
    cfg = s.report.config if s.report is not None else None
    if cfg is None or not cfg.uid:
        return _("Profile {name}: key {key}, {site}, {env}; only your platform can see its account.").format(
            name=s.profile, key=key, site=site, env=env)
    # the rule of core/diagnose.py's account-type check
    sub = cfg.type not in ("", "0") or bool(cfg.main_uid and cfg.uid != cfg.main_uid)
    account = _("sub-account") if sub else _("main account")
    if cfg.label:
        return _('Profile {name}: key {key} of UID {uid}, label "{label}", {account}, {site}, {env}.').format(
            name=s.profile, key=key, uid=plain(cfg.uid, 32), label=plain(cfg.label, 64), account=account,
            site=site, env=env)
    return _("Profile {name}: key {key} of UID {uid}, {account}, {site}, {env}.").format(
        name=s.profile, key=key, uid=plain(cfg.uid, 32), account=account, site=site, env=env)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    why: str
    action: Callable[[Wizard], None]


STEPS = (
    Step("site", N_("OKX site"), N_("A key works only on the site where it was made."), step_site),
    Step("account", N_("OKX account"), N_("API keys belong to an account with verified identity."), step_account),
    Step("2fa", N_("Two-factor authentication"), N_("OKX allows API keys only with 2FA on."), step_2fa),
    Step("environment", N_("Live or demo"), N_("Live and demo keys never work in each other's place."),
         step_environment),
    Step("create-key", N_("Create the API key"),
         N_("Read + Trade lets the platform copy trades; without Withdraw it can never move money out."),
         step_create_key),
    Step("paste", N_("Paste the key"), N_("Secret and passphrase are read hidden and kept only in your "
                                          "system keyring."), step_paste),
    Step("verify", N_("Check the key with OKX"), N_("Finds every problem now, not when the first trade fails."),
         step_verify),
    Step("store", N_("Save"), N_("Saved only after OKX accepted the key, or when you chose to keep a key "
                                 "that only your platform can check."), step_store),
    Step("link", N_("Link to your platform"),
         N_("Your platform's linking service receives the key, checks it with OKX from its own servers, "
            "and can then copy trades. You can also do this later."), step_link),
)
