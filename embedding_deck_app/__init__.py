"""Embedding Deck app layer: the gradio tab, the HTTP routes and the host adapters.

Only ``host_webui`` imports the WebUI's ``modules``; everything here may import gradio.
"""
