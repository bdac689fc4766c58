"""Editing an element adds a version; older versions stay as they were, and a version that a
job used is locked: it never changes and its element cannot be deleted."""

import pytest
from library.media_factory import make_image, make_image_element

from storyboard.library.actions import ElementInput, LibraryError, delete_element, lock_version
from storyboard.library.models import Element, ElementVersion, VersionLocked

pytestmark = pytest.mark.django_db


def test_editing_makes_version_2_and_keeps_version_1(cast, client_for):
    element = make_image_element(cast.team_a, extras=1)
    first = element.current_version
    new_front = make_image(cast.team_a, color=(77, 7, 7))
    response = client_for(cast.editor).post(f"/library/elements/{element.pk}/edit/", {
        "name": "Mara older", "tag": "character", "description": "grey coat",
        "frontal": new_front.pk})
    assert response.status_code == 302
    element.refresh_from_db()
    second = element.current_version
    assert (second.number, second.name, second.frontal, second.extras) == (
        2, "Mara older", new_front, [])
    first.refresh_from_db()
    assert (first.number, first.name, len(first.extras)) == (1, "Mara", 1)
    page = client_for(cast.viewer).get(f"/library/elements/{element.pk}/").content.decode()
    assert "Version 2" in page and "Version 1" in page


def test_saving_without_a_change_makes_no_version(cast, client_for):
    element = make_image_element(cast.team_a)
    v = element.current_version
    response = client_for(cast.editor).post(f"/library/elements/{element.pk}/edit/", {
        "name": v.name, "tag": v.tag, "description": v.description, "frontal": v.frontal.pk},
        follow=True)
    assert "Nothing changed: still version 1." in response.content.decode()
    assert element.versions.count() == 1


def test_a_refused_edit_keeps_the_current_version(cast, client_for):
    element = make_image_element(cast.team_a)
    response = client_for(cast.editor).post(f"/library/elements/{element.pk}/edit/", {
        "name": "x" * 25, "tag": "character", "frontal": element.current_version.frontal.pk})
    assert response.status_code == 400
    assert "Name: at most 20 characters (this one has 25)." in response.content.decode()
    assert element.versions.count() == 1


def test_the_edit_form_starts_from_the_current_version(cast, client_for):
    element = make_image_element(cast.team_a)
    page = client_for(cast.editor).get(f"/library/elements/{element.pk}/edit/").content.decode()
    assert 'value="Mara"' in page and "saves version 2" in page


def test_a_saved_version_never_changes_in_place(cast):
    version = make_image_element(cast.team_a).current_version
    version.name = "Changed"
    with pytest.raises(VersionLocked):
        version.save()
    assert ElementVersion.objects.get(pk=version.pk).name == "Mara"


def test_a_version_used_by_a_job_is_locked_and_blocks_deleting_its_element(cast, client_for):
    from storyboard.jobs.actions import record_sources
    from storyboard.jobs.models import Job, JobSource, State

    element = make_image_element(cast.team_a)
    job = Job.objects.create(team=cast.team_a, submit_key="k", dialect="animatic", model="o1",
                             title="t", snapshot={}, state=State.SUCCEEDED)
    record_sources(job, {"element_1": {"element_version": element.current_version.pk}})
    element.current_version.refresh_from_db()
    assert element.current_version.is_locked
    with pytest.raises(LibraryError, match=f"version 1 in job {job.short_id}"):
        delete_element(element)
    response = client_for(cast.editor).post(f"/library/elements/{element.pk}/delete/",
                                            follow=True)
    assert f"version 1 in job {job.short_id}" in response.content.decode()
    assert Element.objects.filter(pk=element.pk).exists()
    page = client_for(cast.viewer).get(f"/library/elements/{element.pk}/").content.decode()
    assert "used by a job · locked" in page
    # The database holds the version too, whatever the library's own check says.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        element.versions.all().delete()
    assert JobSource.objects.filter(job=job).count() == 1


def test_editing_a_locked_version_adds_a_new_one(cast):
    from storyboard.library.actions import edit_element

    element = make_image_element(cast.team_a)
    old = element.current_version
    lock_version(old)
    version, created = edit_element(element, None, ElementInput(
        name="Mara v2", tag="character", frontal=old.frontal))
    assert created and version.number == 2 and not version.is_locked
    old.refresh_from_db()
    assert old.name == "Mara" and old.is_locked


def test_deleting_an_unused_element_removes_its_versions_but_not_library_images(cast,
                                                                              client_for):
    element = make_image_element(cast.team_a, extras=2)
    response = client_for(cast.editor).post(f"/library/elements/{element.pk}/delete/")
    assert response.status_code == 302
    assert not Element.objects.exists() and not ElementVersion.objects.exists()
    assert cast.team_a.reference_images.count() == 3


def test_another_teams_element_cannot_be_edited_or_deleted(cast, client_for):
    element = make_image_element(cast.team_b)
    client = client_for(cast.owner)
    assert client.get(f"/library/elements/{element.pk}/edit/").status_code == 404
    assert client.post(f"/library/elements/{element.pk}/delete/").status_code == 404
    assert client.get(f"/library/elements/{element.pk}/").status_code == 404
