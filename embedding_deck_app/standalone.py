"""The standalone page: our tab plus a txt2img/img2img-like area that carries the WebUI's
own element ids, and a model-family selector standing in for the loaded checkpoint.

The page runs the very same ``javascript/*.js`` and ``style.css`` as the WebUI, injected
the way the WebUI injects them (into gradio's index template).
"""

from __future__ import annotations

import json
import os
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse

from . import assets, routes, security, ui
from .deck import Deck
from .host_standalone import StandaloneHost
from .report import report_html

STATIC = routes.PREFIX + "/static"
FAMILIES = ["SD1", "SD2", "SDXL"]


def _prompt_area(tab: str, deck: Deck) -> None:
    with gr.Row(elem_id=f"{tab}_toprow"), gr.Column(elem_id=f"{tab}_prompt_container"):
        prompt = gr.Textbox(label="Prompt", elem_id=f"{tab}_prompt", elem_classes=["prompt"], lines=3)
        negative = gr.Textbox(
            label="Negative prompt", elem_id=f"{tab}_neg_prompt", elem_classes=["prompt"], lines=3
        )
    report_id = "embedding_deck_prompt_report" + ("" if tab == "txt2img" else f"_{tab}")
    report = gr.HTML(report_html(deck, "", ""), elem_id=report_id)

    def update(positive: str, negative_text: str) -> str:
        return report_html(deck, positive, negative_text)

    for box in (prompt, negative):
        # gradio 3.41 drops a trigger while the same event is still running; the chained
        # second run reads the boxes again, so the report always ends on the final text.
        box.change(update, inputs=[prompt, negative], outputs=[report]).then(
            update, inputs=[prompt, negative], outputs=[report]
        )


def build_page(deck: Deck) -> gr.Blocks:
    """The whole standalone page."""
    host = deck.host
    with gr.Blocks(title="Embedding Deck", analytics_enabled=False) as page:
        with gr.Tabs(elem_id="tabs"):
            for tab in ("txt2img", "img2img"):
                with gr.TabItem(tab, id=tab, elem_id=f"tab_{tab}"):
                    _prompt_area(tab, deck)
            with gr.TabItem(ui.TAB_TITLE, id=ui.TAB_ID, elem_id=f"tab_{ui.TAB_ID}"):
                ui.build_tab_contents(deck)
        family = gr.Radio(
            FAMILIES,
            value=host.family,
            label="Model family (stands in for the loaded checkpoint)",
            elem_id="embedding_deck_family",
        )
        family.change(_set_family(host), inputs=[family], outputs=[])
    return page


def _set_family(host: StandaloneHost) -> Any:
    def set_family(value: str) -> None:
        host.family = value if value in FAMILIES else None

    return set_family


def load_localization(lang: str | None) -> dict[str, str]:
    """The WebUI-format dict for ``lang`` ("ja" or "ja_JP"), from localizations/; {} for English."""
    if not lang or lang.lower() in ("en", "en_us", "english"):
        return {}
    folder = os.path.join(assets.ROOT, "localizations")
    names = {n[: -len(".json")].lower(): n for n in os.listdir(folder) if n.endswith(".json")}
    lang = lang.lower()
    name = names.get(lang) or next((n for key, n in names.items() if key.split("_")[0] == lang), None)
    if name is None:
        raise SystemExit(f"no localization for {lang!r}; available: {', '.join(sorted(names))}")
    with open(os.path.join(folder, name), encoding="utf-8") as fh:
        return json.load(fh)


def _inject_assets(localization: dict[str, str]) -> None:
    """Insert our script and stylesheet tags into gradio's index page, as the WebUI does
    (the WebUI also puts its ``window.localization`` first)."""
    import gradio.routes

    templates = gradio.routes.templates
    original = getattr(templates, "_edeck_original", None) or templates.TemplateResponse
    templates._edeck_original = original

    def template_response(*args: Any, **kwargs: Any) -> Any:
        res = original(*args, **kwargs)
        scripts, css = assets.page_tags(STATIC)
        # "</" cannot end the script early: the JSON is escaped for an inline <script>
        data = json.dumps(localization, ensure_ascii=False).replace("</", "<\\/")
        scripts = f"<script>window.localization = {data};</script>" + scripts
        res.body = res.body.replace(b"</head>", scripts.encode("utf-8") + b"</head>")
        res.body = res.body.replace(b"</body>", css.encode("utf-8") + b"</body>")
        res.init_headers()
        return res

    templates.TemplateResponse = template_response


def _mount_static(app: FastAPI, deps: list[Any]) -> None:
    def static(name: str) -> Any:
        path = assets.asset_path(name)
        if path is None:
            return JSONResponse({"error": "No such asset."}, status_code=404)
        media = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(path, media_type=media, headers={"Cache-Control": "no-cache"})

    app.add_api_route(STATIC + "/{name}", static, methods=["GET"], dependencies=deps, include_in_schema=False)


def serve(
    embeddings_dir: str,
    host: str = "127.0.0.1",
    port: int = 7870,
    cache_dir: str | None = None,
    auth: tuple[str, str] | None = None,
    lang: str | None = None,
    allowed_hosts: list[str] | None = None,
    host_factory: type[StandaloneHost] = StandaloneHost,
    civitai_url: str | None = None,
    civitai_key_file: str | None = None,
    outputs_dirs: list[str] | None = None,
) -> None:
    """Run the standalone server until interrupted; ``auth`` = (user, password) or None.

    ``host_factory`` lets tests serve the page with a stand-in host (e.g. a slow reload).
    """
    settings = {"edeck_civitai_url": civitai_url} if civitai_url else None
    deck = Deck(
        host_factory(
            embeddings_dir,
            cache_dir,
            settings,
            allowed_hosts=allowed_hosts,
            civitai_key_file=civitai_key_file,
            outputs_dirs=outputs_dirs,
        )
    )
    _inject_assets(load_localization(lang))
    page = build_page(deck)
    page.queue()
    app, _local, _share = page.launch(
        server_name=host, server_port=port, prevent_thread_lock=True, show_api=False, quiet=True, auth=auth
    )
    guards = security.dependencies(app, deck.host.allowed_hosts)
    routes.mount(app, deck, dependencies=guards)
    _mount_static(app, guards)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"Embedding Deck on http://{shown}:{port}/ for {os.path.abspath(embeddings_dir)}", flush=True)
    page.block_thread()
