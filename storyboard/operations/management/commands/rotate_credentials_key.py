"""python manage.py rotate_credentials_key: every saved secret encrypted again with the first
key of STORYBOARD_CREDENTIALS_KEY (docs/deployment.md, Rotating the credentials key)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from storyboard.teams.crypto import (
    CredentialsUnreadable,
    configured_keys,
    encrypted_fields,
    reencrypt,
)


def rotate() -> list[tuple[str, int, list]]:
    """(what, how many re-encrypted, pks no key can read) per encrypted column, in one
    transaction with the rows locked, so an account saved meanwhile is not overwritten."""
    counts = []
    with transaction.atomic():
        for model, field in encrypted_fields():
            done, unreadable = 0, []
            rows = (model.objects.select_for_update().exclude(**{field: ""})
                    .order_by("pk").values_list("pk", field))
            for pk, token in rows:
                try:
                    fresh = reencrypt(token)
                except CredentialsUnreadable:
                    unreadable.append(pk)  # left as it is: no key here can read it anyway
                    continue
                model.objects.filter(pk=pk).update(**{field: fresh})
                done += 1
            counts.append((f"{model._meta.verbose_name_plural} ({field})", done, unreadable))
    return counts


class Command(BaseCommand):
    help = ("Re-encrypts every saved provider credential and webhook secret with the first key "
            "of STORYBOARD_CREDENTIALS_KEY (comma-separated, newest first).")

    def handle(self, *args, **options):
        keys = len(configured_keys())
        counts = rotate()
        self.stdout.write(f"Re-encrypted with the first of {keys} key(s):")
        for what, done, unreadable in counts:
            line = f"  {what}: {done} re-encrypted"
            if unreadable:
                line += (f", {len(unreadable)} unreadable with every configured key (ids "
                         f"{', '.join(map(str, unreadable[:20]))}) left as they are")
            self.stdout.write(line)
        if any(unreadable for _, _, unreadable in counts):
            self.stdout.write("Some values could not be read: put their old key back (after "
                              "the first) and run this again, or enter them again.")
            raise SystemExit(1)
        if keys > 1:
            self.stdout.write("Every saved secret now uses the first key: the others can be "
                              "dropped from STORYBOARD_CREDENTIALS_KEY.")
