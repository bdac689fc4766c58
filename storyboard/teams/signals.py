def register_schedules(sender, **kwargs):
    from storyboard.schedules import setup_schedules

    setup_schedules()
