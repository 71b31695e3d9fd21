"""Stand-in for modules/script_callbacks.py: registration and the host-side runners."""

from __future__ import annotations

from typing import Any

callback_map: dict[str, list[Any]] = {
    "callbacks_app_started": [],
    "callbacks_model_loaded": [],
    "callbacks_ui_tabs": [],
    "callbacks_ui_settings": [],
    "callbacks_image_saved": [],
}


class ImageSaveParams:
    def __init__(self, image, p, filename, pnginfo):
        self.image = image
        self.p = p
        self.filename = filename
        self.pnginfo = pnginfo


def clear_callbacks():
    for callbacks in callback_map.values():
        callbacks.clear()


def on_app_started(callback, *, name=None):
    callback_map["callbacks_app_started"].append(callback)


def on_model_loaded(callback, *, name=None):
    callback_map["callbacks_model_loaded"].append(callback)


def on_ui_tabs(callback, *, name=None):
    callback_map["callbacks_ui_tabs"].append(callback)


def on_ui_settings(callback, *, name=None):
    callback_map["callbacks_ui_settings"].append(callback)


def on_image_saved(callback, *, name=None):
    callback_map["callbacks_image_saved"].append(callback)


def image_saved_callback(params: ImageSaveParams):
    for callback in callback_map["callbacks_image_saved"]:
        callback(params)


def app_started_callback(demo, app):
    for callback in callback_map["callbacks_app_started"]:
        callback(demo, app)


def ui_tabs_callback():
    res = []
    for callback in callback_map["callbacks_ui_tabs"]:
        res += callback() or []
    return res


def ui_settings_callback():
    for callback in callback_map["callbacks_ui_settings"]:
        callback()
