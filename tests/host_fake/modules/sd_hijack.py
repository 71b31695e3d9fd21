"""Stand-in for modules/sd_hijack.py: ``model_hijack.embedding_db`` records its reloads."""

from __future__ import annotations

import types

from modules import call_queue


class EmbeddingDatabase:
    def __init__(self):
        self.word_embeddings = {}
        self.skipped_embeddings = {}
        self.reloads = []

    def load_textual_inversion_embeddings(self, force_reload=False):
        # the real one must run under queue_lock when called from outside a generation
        self.reloads.append({"force_reload": force_reload, "locked": call_queue.queue_lock.locked()})


model_hijack = types.SimpleNamespace(embedding_db=EmbeddingDatabase())
