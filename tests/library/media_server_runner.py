"""storyboard.media_server in a thread of the test process, for view and browser tests."""

import asyncio
import contextlib
import socket
import threading
from pathlib import Path

from storyboard import media_server


@contextlib.contextmanager
def running_media_server(root: Path):
    """Yields the base URL of a media server serving `root`; stops it, connections included."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    loop = asyncio.new_event_loop()
    started, stop = threading.Event(), asyncio.Event()

    async def run_until_stopped():
        serving = asyncio.ensure_future(media_server.serve(
            "127.0.0.1", port, root, ready=lambda _: started.set()))
        await stop.wait()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        assert serving.cancelled()

    thread = threading.Thread(target=loop.run_until_complete, args=(run_until_stopped(),),
                              daemon=True)
    thread.start()
    assert started.wait(10), "the media server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
