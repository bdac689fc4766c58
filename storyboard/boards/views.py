from django.shortcuts import render
from django.views.decorators.http import require_GET

from storyboard.boards.convert import to_value, with_related
from storyboard.boards.models import Storyboard
from storyboard.rules import check
from storyboard.teams.decorators import team_required
from storyboard.teams.scoping import for_team, get_for_team


@require_GET
@team_required("view")
def index(request):
    boards = for_team(Storyboard, request.team).select_related("account")[:200]
    return render(request, "boards/index.html", {"boards": boards})


@require_GET
@team_required("view")
def detail(request, board_id: int):
    board = get_for_team(with_related(Storyboard.objects), request.team, pk=board_id)
    value = to_value(board)
    return render(request, "boards/detail.html",
                  {"board": board, "report": check(value, value.target).to_dict()})
