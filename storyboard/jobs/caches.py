"""Database-backed mappings handed to the provider adapters, so uploads and remote elements are
made once per (file or element version, account) and reused by every later job."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from django.db import IntegrityError, transaction

from storyboard.jobs.models import RemoteElement, UploadedAsset


class AssetCache(MutableMapping):
    def __init__(self, account):
        self.account = account

    def __getitem__(self, sha256: str) -> str:
        row = UploadedAsset.objects.filter(account=self.account, sha256=sha256).first()
        if row is None:
            raise KeyError(sha256)
        return row.url

    def __setitem__(self, sha256: str, url: str) -> None:
        UploadedAsset.objects.update_or_create(account=self.account, sha256=sha256,
                                               defaults={"url": url})

    def __delitem__(self, sha256: str) -> None:
        UploadedAsset.objects.filter(account=self.account, sha256=sha256).delete()

    def __iter__(self) -> Iterator[str]:
        return iter(UploadedAsset.objects.filter(account=self.account)
                    .values_list("sha256", flat=True))

    def __len__(self) -> int:
        return UploadedAsset.objects.filter(account=self.account).count()


def _version_id(key: str) -> int:
    return int(key.removeprefix("ev:"))


class _RemoteElementField(MutableMapping):
    """`ev:<element version id>` -> one column of RemoteElement for this account."""

    column = ""

    def __init__(self, account):
        self.account = account

    def _rows(self):
        return RemoteElement.objects.filter(account=self.account).exclude(**{self.column: ""})

    def __getitem__(self, key: str) -> str:
        row = self._rows().filter(element_version_id=_version_id(key)).first()
        if row is None:
            raise KeyError(key)
        return getattr(row, self.column)

    def __setitem__(self, key: str, value: str) -> None:
        try:
            with transaction.atomic():
                RemoteElement.objects.update_or_create(
                    account=self.account, element_version_id=_version_id(key),
                    defaults={self.column: value})
        except IntegrityError:  # a concurrent job stored it first: keep theirs
            pass

    def __delitem__(self, key: str) -> None:
        RemoteElement.objects.filter(account=self.account,
                                     element_version_id=_version_id(key)).update(
                                         **{self.column: ""})

    def __iter__(self) -> Iterator[str]:
        return (f"ev:{pk}" for pk in self._rows().values_list("element_version_id", flat=True))

    def __len__(self) -> int:
        return self._rows().count()


class RemoteElementIds(_RemoteElementField):
    column = "remote_id"


class ElementCreationTasks(_RemoteElementField):
    column = "creation_task"
