from django import template

register = template.Library()


@register.simple_tag
def job_status(job) -> dict:
    """What an unfinished job is doing or waiting for, in words, and for how long (the card's
    status line; its polling keeps both current)."""
    from storyboard.jobs import waits

    status = waits.describe(job)
    return {"text": status.text, "waited": waits.waited(status.since), "late": status.late}


@register.inclusion_tag("jobs/_board_jobs.html", takes_context=True)
def board_jobs(context, board, limit: int = 6):
    """The storyboard's latest jobs, as live cards (the editor's side panel)."""
    from storyboard.jobs.models import Job

    jobs = (Job.objects.filter(storyboard=board).select_related("account")
            .prefetch_related("clips").order_by("-created_at")[:limit])
    return {"jobs": list(jobs), "board": board, "can": context.get("can"),
            "csrf_token": context.get("csrf_token")}
