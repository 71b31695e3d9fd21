"""Stand-in for modules/sd_models.py: ``model_data.sd_model`` is None until a model loads."""

from __future__ import annotations

import types

model_data = types.SimpleNamespace(sd_model=None)
