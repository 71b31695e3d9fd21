"""Stand-in for modules/sd_hijack_open_clip.py: the module-level OpenCLIP tokenizer (vocabulary only)."""

import types

tokenizer = types.SimpleNamespace(encoder={})
