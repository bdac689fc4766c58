"""One package per vendor: the registry finds each by one line, each says its own label,
credential fields and check context, and the code outside the packages names no vendor."""

from pathlib import Path
from types import SimpleNamespace

from storyboard.providers import registry
from storyboard.providers.base import Provider

ROOT = Path(__file__).resolve().parents[2]
VENDORS = ("useapi", "kling", "cometapi", "apimart")


def test_each_vendor_package_is_one_registry_line_and_re_exports_its_adapter():
    from storyboard.providers.apimart import ApimartProvider
    from storyboard.providers.cometapi import CometapiProvider
    from storyboard.providers.kling import KlingProvider
    from storyboard.providers.useapi import UseapiProvider

    assert registry.VENDOR_PACKAGES == VENDORS
    assert [registry.PROVIDERS[v] for v in VENDORS] == [
        UseapiProvider, KlingProvider, CometapiProvider, ApimartProvider]
    for cls in registry.PROVIDERS.values():
        assert issubclass(cls, Provider) and cls.label and cls.credentials
        assert cls.credential_fields == tuple(f.name for f in cls.credentials)


def test_the_check_context_comes_from_the_vendor_packages():
    def account(dialect, vip=False):
        return SimpleNamespace(dialect=dialect, vip=vip, sandbox=False)

    assert registry.check_context_fields(None) == {}
    assert registry.check_context_fields(account("useapi", vip=True)) == {
        "vip": True, "element_ids": {"cometapi": frozenset()}}
    assert registry.check_context_fields(account("kling", vip=True)) == {
        "element_ids": {"cometapi": frozenset()}}


def test_code_outside_the_vendor_packages_names_no_vendor():
    for relative in ("storyboard/boards/editing.py", "storyboard/boards/public_media.py",
                     "storyboard/providers/prepare.py", "storyboard/providers/registry.py",
                     "storyboard/teams/forms.py", "storyboard/teams/account_views.py",
                     "static/js/account_form.js"):
        text = (ROOT / relative).read_text().lower()
        named = [v for v in VENDORS if v in text]
        # The registry lists the package names, once each.
        if relative.endswith("registry.py"):
            assert all(text.count(f'"{v}"') == 1 for v in VENDORS)
            continue
        assert not named, f"{relative} names {named}"
