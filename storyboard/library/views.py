from django.shortcuts import render
from django.views.decorators.http import require_GET

from storyboard.teams.decorators import team_required


@require_GET
@team_required("view")
def index(request):
    return render(request, "library/index.html")
