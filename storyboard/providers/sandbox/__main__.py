"""``python -m storyboard.providers.sandbox``: see :mod:`.server`."""

import sys

from .server import main

sys.exit(main())
