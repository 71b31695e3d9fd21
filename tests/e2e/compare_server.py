"""The standalone server with a stand-in WebUI that can compare embeddings:
``python tests/e2e/compare_server.py DIR PORT [SECONDS_PER_TILE]``.

Its ``generate`` follows tests/host_fake/modules/processing.py: each tile is one colour
from a hash of its prompts, with an infotext saying what was asked, a short pause per tile
so the page sees progress. Outputs go beside the embeddings folder, never inside it. Its
text encoder is a small seeded vocabulary, so "nearest tokens" has something to rank.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from embedding_deck_app.host_standalone import StandaloneHost
from embedding_deck_app.standalone import serve

TILE_SECONDS = 0.3


def colour_of(prompt: str, negative_prompt: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{prompt}\n{negative_prompt}".encode()).digest()
    return digest[0], digest[1], digest[2]


class ComparingWebUI(StandaloneHost):
    """A WebUI with a loaded SD1 checkpoint whose pictures are colours."""

    def compare_unavailable(self) -> str | None:
        return None

    def checkpoint_name(self) -> str | None:
        return "stand-in-sd15.safetensors"

    def outputs_dir(self) -> str:
        return os.path.join(os.path.dirname(self.embeddings_dir), "outputs", "embedding-deck")

    def generate(self, plan: Any, on_tile: Any, should_stop: Any, started: Any) -> str | None:
        from PIL import Image

        if should_stop():
            return "cancelled"
        started()
        base = plan.base
        for tile in plan.tiles:
            if should_stop():
                return "cancelled"
            time.sleep(TILE_SECONDS)
            image = Image.new("RGB", (base.width, base.height), colour_of(tile.prompt, tile.negative_prompt))
            info = (
                f"{tile.prompt}\nNegative prompt: {tile.negative_prompt}\nSteps: {base.steps}, "
                f"Sampler: {base.sampler or 'Euler a'}, CFG scale: {base.cfg_scale}, Seed: {base.seed}, "
                f"Size: {base.width}x{base.height}, Model: stand-in"
            )
            on_tile(tile.index, image, info, "done")
        return None

    def interrupt_generation(self) -> None:
        pass

    def text_encoders(self) -> list:
        import numpy as np

        tokens = [f"token{i}</w>" for i in range(40)]
        matrix = np.random.default_rng(15).standard_normal((len(tokens), 768)).astype(np.float32)
        return [("clip_l", matrix, tokens)]


def main() -> None:
    global TILE_SECONDS
    folder, port = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3:  # a slower WebUI, for tests that act while it generates
        TILE_SECONDS = float(sys.argv[3])
    serve(folder, port=port, host_factory=ComparingWebUI)


if __name__ == "__main__":
    main()
