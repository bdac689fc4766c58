"""Installs you can repeat: the README's two commands install from requirements.lock, CI runs the
README's test command, and the lock pins every package: each requirement in pyproject.toml (the
dependencies and every extra) has an exact version there that meets its floor, so adding or
raising one without compiling the lock again fails here."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, list[Version]]:
    pins: dict[str, list[Version]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^ ;]+)(\s*;.*)?", line)
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        pins.setdefault(canonicalize_name(match[1]), []).append(Version(match[2]))
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        found += [Requirement(r) for r in extra]
    return [r for r in found if canonicalize_name(r.name) != canonicalize_name(project["name"])]


def test_every_requirement_has_an_exact_version_in_the_lock_that_meets_it():
    pins = _pins()
    missing = [str(r) for r in _requirements() if canonicalize_name(r.name) not in pins]
    assert missing == [], f"not in requirements.lock (compile it again): {missing}"
    unmet = [f"{r} (locked {pins[canonicalize_name(r.name)]})" for r in _requirements()
             if not any(r.specifier.contains(v, prereleases=True)
                        for v in pins[canonicalize_name(r.name)])]
    assert unmet == [], f"requirements.lock is older than pyproject.toml: {unmet}"


def test_extras_of_locked_packages_are_locked_too():
    pins = _pins()
    # psycopg[binary] and django-storages[s3] bring their own packages; the lock has them.
    for name in ("psycopg-binary", "boto3"):
        assert canonicalize_name(name) in pins, name


def _readme_command(section: str) -> str:
    readme = (ROOT / "README.md").read_text()
    body = readme.split(f"## {section}\n", 1)[1]
    return body.split("```sh\n", 1)[1].split("\n```", 1)[0].strip()


def test_the_readme_commands_are_one_line_each_and_install_from_the_lock():
    run, test = _readme_command("Run it"), _readme_command("Test it")
    for command in (run, test):
        assert "\n" not in command
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -c "
                                  "requirements.lock -e ")
    assert "bash .ci/chromium" in test and test.endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text().replace("\\\n", " ")
    ci = re.sub(r"\s+", " ", ci).replace("pip install -q ", "pip install ")
    assert _readme_command("Test it") in ci
