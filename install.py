"""Run by the WebUI at every start (``launch.is_installed`` / ``launch.run_pip``).

Embedding Deck needs nothing beyond what A1111, Forge and reForge already ship (gradio,
fastapi, Pillow, numpy); this only repairs a missing Pillow or numpy, and installs no
heavy package. Without numpy the tab still works: only pixel-encoded image embeddings
then show a message instead of their facts.
"""

import launch

NEEDED = (("PIL", "Pillow"), ("numpy", "numpy"))

for module, package in NEEDED:
    if not launch.is_installed(package) and not launch.is_installed(module):
        launch.run_pip(f"install {package}", f"{package} for Embedding Deck")
