"""Stand-in for the WebUI's ``launch`` module as install.py sees it: records pip calls."""

from __future__ import annotations

import importlib.util

installed_overrides: dict[str, bool] = {}
pip_calls: list[tuple[str, str]] = []


def is_installed(package):
    if package in installed_overrides:
        return installed_overrides[package]
    return importlib.util.find_spec(package) is not None


def run_pip(command, desc=None, live=False):
    pip_calls.append((command, desc))
