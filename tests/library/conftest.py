import pytest
from django.core.files.storage import default_storage


@pytest.fixture
def stored_files(settings):
    """Every file under MEDIA_ROOT, as storage-relative paths."""

    def list_files() -> list[str]:
        root = settings.MEDIA_ROOT
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def read_stored():
    def read(name: str) -> bytes:
        with default_storage.open(name, "rb") as fh:
            return fh.read()

    return read
