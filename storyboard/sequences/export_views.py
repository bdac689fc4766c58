"""The export download: GET /sequences/<id>/export/?format=mp4|zip|otio|fcpxml|edl
[&placeholders=1]. Any member may read. A stored export of the sequence as it stands is sent
at once; otherwise the build is asked of the worker and the page shows its progress, polling
itself (htmx) until the file is ready (then a Download link) or the build failed (HTTP 286
stops the polling, architecture 13). The polls follow that one build (`export=<id>`): asking
again on each poll would start a failed build anew every second and never show why it failed."""

from __future__ import annotations

from django import forms
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from storyboard.sequences.exports import (
    CONTENT_TYPE,
    MissingTakes,
    filename,
    follow_export,
    request_export,
)
from storyboard.sequences.exports_models import SequenceExport
from storyboard.sequences.models import Sequence
from storyboard.teams.decorators import team_required
from storyboard.teams.scoping import get_for_team

TEMPLATE = "sequences_export/export.html"


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=SequenceExport.Format.choices)
    placeholders = forms.BooleanField(required=False)
    # The build the progress fragment follows (its polls watch that row, never ask again).
    export = forms.IntegerField(required=False, min_value=1)


@require_GET
@team_required("view")
def export(request, sequence_id: int):
    sequence = get_for_team(Sequence, request.team, pk=sequence_id)
    form = ExportForm(request.GET)
    context = {"sequence": sequence, "form": form}
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    fmt, placeholders = form.cleaned_data["format"], form.cleaned_data["placeholders"]
    context.update(fmt=fmt, placeholders=placeholders,
                   fmt_label=SequenceExport.Format(fmt).label)
    following = form.cleaned_data["export"] if request.htmx else None
    try:
        if following:
            row = follow_export(get_object_or_404(SequenceExport, sequence=sequence,
                                                  pk=following))
        else:
            row = request_export(sequence, fmt, placeholders=placeholders)
    except MissingTakes as missing:
        context["missing"] = missing.titles
        return render(request, TEMPLATE, context, status=409)
    except ValueError as e:
        context["error"] = str(e)
        return render(request, TEMPLATE, context, status=400)
    fmt, placeholders = row.format, row.placeholders  # what the followed build is
    context.update(export=row, fmt=fmt, placeholders=placeholders,
                   fmt_label=SequenceExport.Format(fmt).label)
    if row.state == row.State.READY and request.GET.get("download") != "0" \
            and not request.htmx:
        return FileResponse(default_storage.open(row.file, "rb"), as_attachment=True,
                            filename=filename(sequence, fmt), content_type=CONTENT_TYPE[fmt])
    if request.htmx:
        response = render(request, f"{TEMPLATE}#progress", context)
        if row.is_final:
            response.status_code = HttpResponseStopPolling.status_code
        return response
    return render(request, TEMPLATE, context, status=202 if not row.is_final else 200)
