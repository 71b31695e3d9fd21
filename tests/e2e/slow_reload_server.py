"""The standalone server with a stand-in WebUI whose embedding reload takes seconds, as
A1111's does at 10,000 files: ``python tests/e2e/slow_reload_server.py DIR PORT SECONDS``."""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from embedding_deck_app.host_standalone import StandaloneHost
from embedding_deck_app.standalone import serve


def main() -> None:
    folder, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

    class SlowWebUI(StandaloneHost):
        def reload_embeddings(self) -> str:
            time.sleep(seconds)
            count = sum(
                n.endswith((".safetensors", ".pt", ".bin")) for _b, _d, f in os.walk(folder) for n in f
            )
            return f"WebUI: {count:,} loaded, 0 skipped."

    serve(folder, port=port, host_factory=SlowWebUI)


if __name__ == "__main__":
    main()
