"""`python manage.py studio`: set up and run the whole product on this machine.

Set-up (every run, idempotent): migrations, static files, the `Demo` team with its owner `demo`
(password generated once into the local state directory and printed at every start), one sandbox
provider account per dialect for the demo team, and the recurring worker schedules. Then, unless
--no-serve, the web server (gunicorn), the django-q2 worker, the offline vendor sandbox and the
media server (storyboard.media_server: video and image bytes, so slow viewers never hold a web
thread) run side by side until Ctrl-C, which stops them all.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from storyboard.providers.registry import LABELS
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
from storyboard.schedules import setup_schedules
from storyboard.storage import is_local
from storyboard.teams.accounts import AccountInput, add_account
from storyboard.teams.actions import ensure_demo
from storyboard.teams.apps import configure_outbound
from storyboard.teams.models import ProviderAccount

STOP_GRACE_SECONDS = 20


def demo_password(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password)
    path.chmod(0o600)
    return password


def ensure_sandbox_accounts(team, sandbox_root: str) -> list[ProviderAccount]:
    """One account per dialect pointing at the local sandbox; an existing one (same label) keeps
    its settings except the base URL, which follows --sandbox-port."""
    accounts = []
    for dialect, url in base_urls(sandbox_root).items():
        label = f"Sandbox {LABELS[dialect]}"
        account = ProviderAccount.objects.filter(team=team, label=label).first()
        if account is None:
            account = add_account(team, AccountInput(
                dialect, label, dict(SANDBOX_CREDENTIALS[dialect]), base_url=url, max_jobs=4,
                vip=dialect == "useapi", sandbox=True))
        elif account.base_url != url and account.sandbox:
            ProviderAccount.objects.filter(pk=account.pk).update(base_url=url)
        accounts.append(account)
    return accounts


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Set up storyboard (migrations, demo login, schedules) and run web server + worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="web port (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
        parser.add_argument("--web-threads", type=int, default=8,
                            help="request threads per gunicorn process (default 8)")
        parser.add_argument("--media-port", type=int, default=None,
                            help="port of the media server (default: --port + 1)")
        parser.add_argument("--sandbox-port", type=int, default=8765,
                            help="port of the offline vendor sandbox (default 8765)")
        parser.add_argument(
            "--no-serve", action="store_true", help="only set up, then exit (scripts, deploys)"
        )

    def handle(self, *args, port, host, web_workers, web_threads, media_port, sandbox_port,
               no_serve, **options):
        media_port = port + 1 if media_port is None else media_port
        for flag, value in (("--port", port), ("--sandbox-port", sandbox_port),
                            ("--media-port", media_port)):
            if not 1 <= value <= 65535:
                raise CommandError(f"{flag} {value}: choose a port between 1 and 65535")
        if len({port, sandbox_port, media_port}) < 3:
            raise CommandError("--port, --sandbox-port and --media-port must differ")
        for flag, value in (("--web-workers", web_workers), ("--web-threads", web_threads)):
            if value < 1:
                raise CommandError(f"{flag} {value}: must be at least 1")
        self.media_port = media_port
        self.sandbox_root = f"http://127.0.0.1:{sandbox_port}"
        self.sandbox_port = sandbox_port
        # The sandbox studio runs is this server's sandbox (the only one sandbox accounts may
        # use), here and in the web server and worker it starts.
        settings.STORYBOARD_SANDBOX_URL = self.sandbox_root
        configure_outbound()
        self.setup()
        if no_serve:
            self.stdout.write("Set-up done; --no-serve given, not starting the servers.")
            return
        for flag, (where, number) in (("--port", (host, port)),
                                      ("--sandbox-port", ("127.0.0.1", sandbox_port)),
                                      ("--media-port", (host, media_port))):
            if not port_is_free(where, number):
                raise CommandError(
                    f"Port {number} on {where} is already in use (is another studio running?). "
                    f"Stop it or pass {flag} with a free port."
                )
        self.serve(host, port, web_workers, web_threads)

    def setup(self):
        verbosity = 0
        call_command("migrate", interactive=False, verbosity=verbosity)
        call_command("collectstatic", interactive=False, verbosity=verbosity)
        password = demo_password(settings.VAR_DIR / "demo_password")
        team, user = ensure_demo(password=password)
        ensure_sandbox_accounts(team, self.sandbox_root)
        setup_schedules()
        self.password = password
        self.stdout.write(
            f"Database: {settings.DATABASES['default']['NAME']}\n"
            f"Demo login: username {user.username!r}, password {password!r} "
            f"(team {team.name!r}; kept in {settings.VAR_DIR / 'demo_password'})"
        )

    def media_env(self, local: str) -> dict[str, str]:
        """How the web server hands media bytes off: to the media server studio starts (local
        disk), to presigned URLs (S3), or as the environment already says."""
        if os.environ.get("STORYBOARD_MEDIA_MODE"):
            return {}
        if not is_local():
            return {"STORYBOARD_MEDIA_MODE": "s3-redirect"}
        return {"STORYBOARD_MEDIA_MODE": "media-server",
                "STORYBOARD_MEDIA_SERVER_URL": f"http://{local}:{self.media_port}"}

    def serve(self, host: str, port: int, web_workers: int, web_threads: int):
        python = sys.executable
        # The local sandbox fetches media from, and sends callbacks to, this web server.
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        env = {**os.environ, "STORYBOARD_LOCAL_URL": f"http://{local}:{port}",
               "STORYBOARD_SANDBOX_URL": self.sandbox_root, **self.media_env(local)}
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        # Threads mostly wait (database, vendors, the disk), so there are more than cores. No
        # gunicorn access log: the app writes each request's line itself (storyboard/logs.py),
        # with its request id and team, and without the secrets a path can hold.
        web = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                python, "-m", "gunicorn", "storyboard.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(web_workers),
                "--threads", str(web_threads),
                "--timeout", "60", "--graceful-timeout", "10",
                "--chdir", str(settings.BASE_DIR),
            ],
            env=env,
        )
        worker = subprocess.Popen([python, manage, "qcluster"], env=env)  # noqa: S603
        sandbox = subprocess.Popen(  # noqa: S603
            [python, "-m", "storyboard.providers.sandbox", "--host", "127.0.0.1",
             "--port", str(self.sandbox_port), "--data-dir",
             str(settings.VAR_DIR / "sandbox")],
            cwd=str(settings.BASE_DIR),
        )
        children = {"web server": web, "worker": worker, "sandbox": sandbox}
        media_note = f"media are served as STORYBOARD_MEDIA_MODE={env.get('STORYBOARD_MEDIA_MODE')}"
        if env.get("STORYBOARD_MEDIA_MODE") == "media-server":
            media_note = f"the media server answers on {env['STORYBOARD_MEDIA_SERVER_URL']}/"
            children["media server"] = subprocess.Popen(  # noqa: S603
                [python, "-m", "storyboard.media_server", "--host", host,
                 "--port", str(self.media_port)],
                cwd=str(settings.BASE_DIR), env=env,
            )
        self.stdout.write(self.style.SUCCESS(
            f"storyboard is running on http://{host}:{port}/  (Ctrl-C stops {', '.join(children)};"
            f" the sandbox answers on {self.sandbox_root}/, {media_note})"
        ))
        self.stdout.write(f"Sign in as demo / {self.password}")
        self.stdout.flush()

        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"The {name} stopped (exit code {child.returncode}); "
                                      "stopping the rest.")
                    exit_code = 1
                    stopping = True
                    break
            time.sleep(0.3)
        self.stdout.write(f"Stopping {', '.join(children)}…")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} did not stop in {STOP_GRACE_SECONDS} s; killing it.")
                child.kill()
                child.wait()
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)
