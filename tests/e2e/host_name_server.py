"""The standalone server answering as a given WebUI (its /state ``host``), for tests of
host-specific verdicts: ``python tests/e2e/host_name_server.py DIR PORT NAME``."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from embedding_deck_app.host_standalone import StandaloneHost
from embedding_deck_app.standalone import serve


def main() -> None:
    folder, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    serve(folder, port=port, host_factory=type("NamedHost", (StandaloneHost,), {"name": name}))


if __name__ == "__main__":
    main()
