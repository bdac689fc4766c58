"""Library pages: the grid of images, videos and elements with uploads and filters, element
forms and details, sharing, and the media files themselves (through team-checked views)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storyboard.library import access, actions, limits, usage
from storyboard.library.actions import ElementInput, LibraryError, MediaRefused
from storyboard.library.images import display_name
from storyboard.library.models import (
    Element,
    LibraryShare,
    ReferenceImage,
    ReferenceVideo,
    Tag,
)
from storyboard.library.serving import serve_stored_file
from storyboard.teams.decorators import team_required
from storyboard.teams.scoping import for_team, get_for_team

KINDS = (("", "Everything"), ("element", "Elements"), ("image", "Images"), ("video", "Videos"))
ITEMS_PER_SECTION = 300


def _filters(request) -> dict:
    q = " ".join(request.GET.get("q", "").split())[:80]
    tag = request.GET.get("tag", "")
    kind = request.GET.get("kind", "")
    return {
        "q": q,
        "tag": tag if tag in Tag.values else "",
        "kind": kind if kind in dict(KINDS) else "",
    }


def _items(team, f: dict) -> dict:
    images = videos = elements = None
    if f["kind"] in ("", "image"):
        images = for_team(ReferenceImage, team).annotate(
            use_count=Count("uses__version__element", distinct=True))
        if f["q"]:
            images = images.filter(name__icontains=f["q"])
        if f["tag"]:
            images = images.filter(tag=f["tag"])
        images = list(images[:ITEMS_PER_SECTION])
    if f["kind"] in ("", "video"):
        videos = for_team(ReferenceVideo, team)
        if f["q"]:
            videos = videos.filter(name__icontains=f["q"])
        if f["tag"]:
            videos = videos.filter(tag=f["tag"])
        videos = list(videos[:ITEMS_PER_SECTION])
    if f["kind"] in ("", "element"):
        elements = access.visible_elements(team).prefetch_related(
            "current_version__images__image")
        if f["q"]:
            elements = elements.filter(
                Q(current_version__name__icontains=f["q"])
                | Q(current_version__description__icontains=f["q"]))
        if f["tag"]:
            elements = elements.filter(current_version__tag=f["tag"])
        elements = list(elements.order_by("-created_at", "-id")[:ITEMS_PER_SECTION])
    return {"images": images, "videos": videos, "elements": elements}


def _sharing(request) -> dict:
    if not request.membership.can("manage"):
        return {}
    given = list(LibraryShare.objects.active().filter(from_team=request.team)
                 .select_related("to_team"))
    shared_ids = {s.to_team_id for s in given}
    # Only teams the owner is in themselves: the page never lists other teams of the server.
    others = [m.team for m in request.memberships if m.team_id != request.team.pk]
    return {
        "shares_given": given,
        "share_targets": [t for t in others if t.pk not in shared_ids],
    }


def _page_context(request, **extra) -> dict:
    f = _filters(request)
    context = {
        "filters": f,
        "kinds": KINDS,
        "tags": Tag.choices,
        "limits": limits,
        "shared_by": LibraryShare.objects.active().filter(to_team=request.team)
        .select_related("from_team"),
        **_items(request.team, f),
        **_sharing(request),
        **extra,
    }
    return context


@require_GET
@team_required("view")
def index(request):
    context = _page_context(request)
    if request.htmx and request.htmx.target == "library-items":
        return render(request, "library/index.html#items", context)
    return render(request, "library/index.html", context)


def _wants_fragment(request) -> bool:
    return bool(request.htmx) or request.headers.get("X-Requested-With") == "XMLHttpRequest"


@require_POST
@team_required("edit")
def upload(request):
    uploads = request.FILES.getlist("files")
    results = []
    for uploaded in uploads:
        name = display_name(uploaded.name, "file")
        try:
            stored = actions.store_upload(request.team, request.user, uploaded)
            results.append({"name": name, "ok": True, "created": stored.created,
                            "message": stored.message, "item": stored.item})
        except MediaRefused as refused:
            results.append({"name": name, "ok": False, "message": str(refused)})
    if not uploads:
        results.append({"name": "", "ok": False,
                        "message": "Files: choose at least one image or video to upload."})
    status = 200 if any(r["ok"] for r in results) else 400
    if _wants_fragment(request):
        return render(request, "library/index.html#upload_results", {"results": results},
                      status=status)
    return render(request, "library/index.html", _page_context(request, results=results),
                  status=status)


# --- media files ----------------------------------------------------------------------------


@require_GET
@team_required("view")
def image_file(request, image_id: int, variant: str):
    image = access.get_visible_image(request.team, image_id)
    ext = "jpg" if image.format == "JPEG" else "png"
    if variant == "file":
        return serve_stored_file(request, image.file, image.content_type, f"{image.name}.{ext}")
    if variant in ("256", "768"):
        return serve_stored_file(request, getattr(image, f"thumb_{variant}"),
                                 image.thumb_content_type)
    raise Http404("no such variant")


@require_GET
@team_required("view")
def video_file(request, video_id: int, variant: str):
    video = access.get_visible_video(request.team, video_id)
    if variant == "file":
        ext = video.file.rsplit(".", 1)[-1]
        return serve_stored_file(request, video.file, video.content_type, f"{video.name}.{ext}")
    if variant == "poster":
        return serve_stored_file(request, video.poster, "image/jpeg")
    raise Http404("no such variant")


@require_GET
@team_required("view")
def version_file(request, version_id: int, variant: str):
    version = access.get_visible_version(request.team, version_id)
    if variant == "file" and version.clip:
        kind = "video/quicktime" if version.clip_container == "MOV" else "video/mp4"
        return serve_stored_file(request, version.clip, kind)
    if variant == "poster" and version.poster:
        return serve_stored_file(request, version.poster, "image/jpeg")
    if variant == "voice" and version.voice_clip:
        return serve_stored_file(request, version.voice_clip, version.voice_clip_type)
    raise Http404("no such file")


# --- rename and delete ----------------------------------------------------------------------


def _back_to_library(request):
    back = request.POST.get("next", "")
    if back.startswith("/library/") and "//" not in back:
        return redirect(back)
    return redirect("library:index")


def _rename(request, item):
    try:
        actions.rename_item(item, request.POST.get("name", ""), request.POST.get("tag", ""))
        messages.success(request, f"Renamed to “{item.name}”.")
    except LibraryError as error:
        messages.error(request, str(error))
    return _back_to_library(request)


def _delete(request, item, delete):
    name = item.name
    try:
        delete(item)
        messages.success(request, f"Deleted “{name}”.")
    except LibraryError as error:
        messages.error(request, str(error))
    return _back_to_library(request)


@require_POST
@team_required("edit")
def image_edit(request, image_id: int):
    return _rename(request, get_for_team(ReferenceImage, request.team, pk=image_id))


@require_POST
@team_required("edit")
def image_delete(request, image_id: int):
    image = get_for_team(ReferenceImage, request.team, pk=image_id)
    return _delete(request, image, actions.delete_image)


@require_POST
@team_required("edit")
def video_edit(request, video_id: int):
    return _rename(request, get_for_team(ReferenceVideo, request.team, pk=video_id))


@require_POST
@team_required("edit")
def video_delete(request, video_id: int):
    video = get_for_team(ReferenceVideo, request.team, pk=video_id)
    return _delete(request, video, actions.delete_video)


# --- elements -------------------------------------------------------------------------------


def _image_choice(request, team, id_field: str, file_field: str, label: str):
    picked = request.POST.get(id_field, "")
    uploaded = request.FILES.get(file_field)
    if picked and uploaded:
        raise LibraryError(f"{label}: pick one from the library or upload one, not both.",
                           id_field)
    if uploaded:
        return uploaded
    if picked:
        image = for_team(ReferenceImage, team).filter(pk=picked if picked.isdigit() else 0)
        if not image:
            raise LibraryError(f"{label}: that image is not in this team's library.", id_field)
        return image[0]
    return None


def _element_input(request, kind: str) -> ElementInput:
    post = request.POST
    data = ElementInput(name=post.get("name", ""), tag=post.get("tag", ""),
                        description=post.get("description", ""))
    if kind == Element.Kind.IMAGE:
        data.frontal = _image_choice(request, request.team, "frontal", "frontal_file",
                                     "Frontal image")
        ids = [i for i in post.getlist("extras") if i]
        found = {str(i.pk): i for i in for_team(ReferenceImage, request.team)
                 .filter(pk__in=[i for i in ids if i.isdigit()])}
        if len(found) != len(set(ids)):
            raise LibraryError("Extra angles: an image chosen is not in this team's library.",
                               "extras")
        data.extras = [found[i] for i in dict.fromkeys(ids)] + request.FILES.getlist(
            "extra_files")
    else:
        data.clip = request.FILES.get("clip")
        data.voice_id = post.get("voice_id", "")
        data.voice_clip = request.FILES.get("voice_clip")
        data.remove_voice_clip = post.get("remove_voice_clip") == "on"
    return data


def _element_form(request, *, kind, element=None, error=None, status=200):
    version = element.current_version if element else None
    post = request.POST if request.method == "POST" else None
    if post is not None:
        values = {k: post.get(k, "") for k in ("name", "tag", "description", "frontal",
                                               "voice_id")}
        values["extras"] = post.getlist("extras")
    elif version:
        values = {"name": version.name, "tag": version.tag, "description": version.description,
                  "frontal": str(version.frontal.pk) if version.frontal else "",
                  "extras": [str(i.pk) for i in version.extras], "voice_id": version.voice_id}
    else:
        values = {"name": "", "tag": "", "description": "", "frontal": "", "extras": [],
                  "voice_id": ""}
    context = {
        "kind": kind,
        "element": element,
        "version": version,
        "values": values,
        "error": error,
        "tags": Tag.choices,
        "limits": limits,
        "library_images": for_team(ReferenceImage, request.team)[:ITEMS_PER_SECTION]
        if kind == Element.Kind.IMAGE else [],
    }
    return render(request, "library/element_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@team_required("edit")
def element_new(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or Element.Kind.IMAGE
    if kind not in Element.Kind.values:
        kind = Element.Kind.IMAGE
    if request.method == "GET":
        return _element_form(request, kind=kind)
    try:
        element = actions.create_element(request.team, request.user, kind,
                                         _element_input(request, kind))
    except LibraryError as error:
        return _element_form(request, kind=kind, error=error, status=400)
    messages.success(request, f"Element “{element}” created.")
    return redirect("library:element_detail", element.pk)


@require_GET
@team_required("view")
def element_detail(request, element_id: int):
    element = access.get_visible_element(request.team, element_id)
    versions = element.versions.prefetch_related("images__image").order_by("-number")
    return render(request, "library/element_detail.html", {
        "element": element,
        "versions": versions,
        "uses": usage.uses_of("element", element),
        "shared": element.team_id != request.team.pk,
    })


@require_http_methods(["GET", "POST"])
@team_required("edit")
def element_edit(request, element_id: int):
    element = get_for_team(Element.objects.select_related("current_version", "team"),
                           request.team, pk=element_id)
    if request.method == "GET":
        return _element_form(request, kind=element.kind, element=element)
    try:
        version, created = actions.edit_element(element, request.user,
                                                _element_input(request, element.kind))
    except LibraryError as error:
        return _element_form(request, kind=element.kind, element=element, error=error,
                             status=400)
    if created:
        messages.success(request, f"Saved as version {version.number}; earlier versions stay "
                                  "as they were.")
    else:
        messages.info(request, f"Nothing changed: still version {version.number}.")
    return redirect("library:element_detail", element.pk)


@require_POST
@team_required("edit")
def element_delete(request, element_id: int):
    element = get_for_team(Element.objects.select_related("current_version"), request.team,
                           pk=element_id)
    name = str(element)
    try:
        actions.delete_element(element)
    except LibraryError as error:
        messages.error(request, str(error))
        return redirect("library:element_detail", element.pk)
    messages.success(request, f"Deleted element “{name}”.")
    return redirect("library:index")


# --- sharing --------------------------------------------------------------------------------


@require_POST
@team_required("manage")
def share(request, target_team_id: int):
    # Only a team the owner belongs to (and not the current one) can be named; anything else
    # is "not found", so the URL cannot be used to learn which teams exist.
    target = next((m.team for m in request.memberships
                   if m.team_id == target_team_id and m.team_id != request.team.pk), None)
    if target is None:
        raise Http404("no such team")
    try:
        actions.share_library(request.team, target, request.user)
        messages.success(request, f"{target.name} can now use {request.team.name}'s elements "
                                  "(read-only).")
    except LibraryError as error:
        messages.error(request, str(error))
    return redirect(reverse("library:index") + "#sharing")


@require_POST
@team_required("manage")
def share_revoke(request, share_id: int):
    share_row = get_for_team(LibraryShare.objects.select_related("to_team"), request.team,
                             field="from_team", pk=share_id)
    actions.revoke_share(share_row, request.user)
    messages.success(request, f"{share_row.to_team.name} can no longer use this library.")
    return redirect(reverse("library:index") + "#sharing")
