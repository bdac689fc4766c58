from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def spend_caps(context, board, cost) -> dict:
    """For the editor's submit area: the caps of the team and of the storyboard's account this
    month has reached 80 % of, and whether Submit would be refused by one (the server judges
    again when it is pressed). No query unless a cap is set."""
    from storyboard.jobs import spending

    team = context.get("current_team")
    account = board.account if board.account_id else None
    if team is None or account is None or (team.monthly_cap is None
                                           and account.monthly_cap is None):
        return {}
    caps = spending.status(team, [account])
    judged = spending.judge(team, account, cost, caps[0].unit if caps else "")
    return {"reached": [c for c in caps if c.reached], "refusal": judged.refusal}
