"""The deck's HTTP routes on a bare FastAPI app (no gradio page): a real server process that
starts in a second, so crash tests can kill and restart it many times.

``python tests/app/routes_server.py EMBEDDINGS_DIR PORT CACHE_DIR``
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import uvicorn
from fastapi import FastAPI

from embedding_deck_app import routes, security
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost


def main() -> None:
    folder, port, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    deck = Deck(StandaloneHost(folder, cache))
    app = FastAPI()
    routes.mount(app, deck, dependencies=security.dependencies(app, list))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
