"""The editor form as the browser posts it, for view tests and the benchmark."""

from storyboard.boards.models import Slot


def form_of(board, **changes):
    """The editor form as the browser posts it for `board`, with `changes` applied.
    `shots=[(prompt, duration), …]`, `slots={"image_1": "image:12", …}`."""
    board.refresh_from_db()
    shots = changes.pop("shots", None)
    if shots is None:
        shots = [(s.prompt, s.duration) for s in board.shots.all()]
    slots = changes.pop("slots", None)
    if slots is None:
        slots = {}
        for s in Slot.objects.filter(storyboard=board):
            kind = s.name.split("_")[0]
            prefix = {"image": "image", "element": "version", "video": "video"}[kind]
            slots[s.name] = f"{prefix}:{s.image_id or s.element_version_id or s.video_id}"
    data = {
        "version": str(board.version), "title": board.title,
        "target": f"{board.account_id or 'animatic'}/{board.model}", "mode": board.mode,
        "aspect_ratio": board.aspect_ratio, "count": board.count,
        "negative_prompt": board.negative_prompt,
        "multi_shot": "1" if board.multi_shot else "0",
        "shown_multi_shot": "1" if board.multi_shot else "0",
        "prompt": board.prompt, "duration": board.duration,
        "shot_prompt": [p for p, _ in shots], "shot_duration": [d for _, d in shots],
        "slot": list(slots),
    }
    if board.audio:
        data["audio"] = "on"
    for name, ref in slots.items():
        data[f"item_{name}"] = ref
    data.update(changes)
    return data
