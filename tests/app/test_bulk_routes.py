"""/bulk on a copy of the demo library: one action over a selection, a failure reported
without stopping the others, and one undo that puts every file and value back."""

from __future__ import annotations

import json
import os

from test_library_routes import H, V, _files, _post, _rows, _undo, client  # noqa: F401 - fixture

SELECTION = ["badhandv4.pt", "ng_deepnegative_v1_75t.pt", "SDXL/negativeXL_D.safetensors"]


def _items(c, paths: list[str], **extra) -> list[dict]:
    rows = _rows(c)
    return [{"path": p, "stamp": rows[p]["stamp"], **extra} for p in paths]


def _bulk(c, action: str, items: list[dict]):
    return _post(c, "/bulk", {"action": action, "items": items})


def test_move_a_selection_and_undo_it_in_one_call(client):  # noqa: F811
    before = _files(client.folder)
    res = _bulk(client, "move", _items(client, SELECTION, folder="styles"))
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["done"] == 3 and body["failed"] == []
    assert set(body["removed"]) == set(SELECTION)
    assert {r["path"] for r in body["rows"]} == {
        "styles/badhandv4.pt",
        "styles/ng_deepnegative_v1_75t.pt",
        "styles/negativeXL_D.safetensors",
    }
    # the sidecars went along (badhandv4.txt, the previews)
    moved = _files(client.folder)
    assert "styles/badhandv4.txt" in moved and "styles/negativeXL_D.preview.png" in moved
    assert "badhandv4.pt" not in moved
    assert body["reload"] is not None  # the WebUI reloads its list once for the batch

    undo = body["undo"]
    assert undo["route"] == f"{V}/bulk" and undo["body"]["action"] == "move"
    assert len(undo["body"]["items"]) == 3
    back = _undo(client, undo)
    assert back.status_code == 200, back.text
    assert back.json()["done"] == 3
    assert _files(client.folder) == before


def test_one_failure_is_reported_and_the_rest_is_done(client):  # noqa: F811
    items = _items(client, SELECTION, folder="styles")
    items[1]["stamp"] = "0:0"  # changed on disk since the page listed it
    items.append({"path": "nope.pt", "folder": "styles"})
    body = _bulk(client, "move", items).json()
    assert body["done"] == 2
    failed = {f["path"]: f["error"] for f in body["failed"]}
    assert set(failed) == {"ng_deepnegative_v1_75t.pt", "nope.pt"}
    assert all(s.endswith(".") for s in failed.values())
    assert os.path.exists(os.path.join(client.folder, "ng_deepnegative_v1_75t.pt"))
    assert len(body["undo"]["body"]["items"]) == 2  # only what was done is undone


def test_delete_to_trash_and_restore_all(client):  # noqa: F811
    before = _files(client.folder)
    body = _bulk(client, "delete", _items(client, SELECTION)).json()
    assert body["done"] == 3 and set(body["removed"]) == set(SELECTION)
    trash = client.get(f"{V}/trash").json()["items"]
    assert len(trash) == 3
    assert body["undo"]["body"]["action"] == "restore"
    _undo(client, body["undo"])
    assert _files(client.folder) == before
    assert client.get(f"{V}/trash").json()["items"] == []


def test_tags_target_and_weight_with_exact_undo(client):  # noqa: F811
    easy = os.path.join(client.folder, "EasyNegative.json")
    with open(easy, encoding="utf-8") as fh:
        original = json.load(fh)
    paths = ["EasyNegative.safetensors", "badhandv4.pt"]
    added = _bulk(client, "edit", _items(client, paths, add_tags=["hands", "Go-to"])).json()
    assert added["done"] == 2 and added["failed"] == []
    rows = _rows(client)
    assert rows["badhandv4.pt"]["tags"] == ["hands", "Go-to"]
    assert rows["EasyNegative.safetensors"]["tags"][-2:] == ["hands", "Go-to"]
    # adding again changes nothing; removing is without case
    again = _bulk(client, "edit", _items(client, paths, add_tags=["HANDS"])).json()
    assert again["undo"] is None
    removed = _bulk(client, "edit", _items(client, paths, remove_tags=["go-to"])).json()
    assert _rows(client)["badhandv4.pt"]["tags"] == ["hands"]

    values = {"default target": "positive", "preferred weight": 0.8}
    setting = _bulk(client, "edit", _items(client, paths, set=values)).json()
    rows = _rows(client)
    assert rows["badhandv4.pt"]["target"] == "positive" and rows["badhandv4.pt"]["weight"] == 0.8

    for answer in (setting, removed, added):  # undone last first, as the page does
        assert _undo(client, answer["undo"]).json()["failed"] == []
    with open(easy, encoding="utf-8") as fh:
        assert json.load(fh) == original
    # badhandv4.json was made by the first edit: its undo takes it away again
    assert not os.path.exists(os.path.join(client.folder, "badhandv4.json"))
    assert "tags" not in _rows(client)["badhandv4.pt"]


def test_edit_refuses_what_the_editor_refuses(client):  # noqa: F811
    body = _bulk(client, "edit", _items(client, ["badhandv4.pt"], set={"preferred weight": 99})).json()
    assert body["done"] == 0 and "between -10 and 10" in body["failed"][0]["error"]
    body = _bulk(client, "edit", _items(client, ["badhandv4.pt"], set={"description": "x"})).json()
    assert "cannot be changed on a selection" in body["failed"][0]["error"]
    broken = _bulk(client, "edit", _items(client, ["broken/truncated.safetensors"], add_tags=["x"])).json()
    assert "not a readable embedding" in broken["failed"][0]["error"]


def test_favourites_in_one_write_and_undo(client):  # noqa: F811
    _post(client, "/favourite", {"path": "badhandv4.pt", "on": True})
    body = _bulk(client, "favourite", [{"path": p, "on": True} for p in SELECTION]).json()
    assert body["done"] == 3
    assert all(r.get("fav") for r in body["rows"])
    assert body["undo"]["body"]["items"] == [
        {"path": "ng_deepnegative_v1_75t.pt", "on": False},
        {"path": "SDXL/negativeXL_D.safetensors", "on": False},
    ]
    _undo(client, body["undo"])
    favs = {p for p, r in _rows(client).items() if r.get("fav")}
    assert favs == {"badhandv4.pt"}


def test_convert_a_selection_and_undo(client):  # noqa: F811
    before = _files(client.folder)
    body = _bulk(client, "convert", _items(client, ["badhandv4.pt", "ng_deepnegative_v1_75t.pt"])).json()
    assert body["done"] == 2, body["failed"]
    made = {"badhandv4.safetensors", "ng_deepnegative_v1_75t.safetensors"}
    assert {r["path"] for r in body["rows"]} >= made
    _undo(client, body["undo"])
    assert _files(client.folder) == before


def test_bad_requests_say_why(client):  # noqa: F811
    assert _bulk(client, "shred", []).status_code == 422
    res = _post(client, "/bulk", {"action": "move", "items": "all"})
    assert "list of embeddings" in res.json()["error"]
    res = _bulk(client, "move", [{"path": "a.pt"}] * 101)
    assert "At most 100" in res.json()["error"]
    outside = _bulk(client, "move", [{"path": "../outside.pt", "folder": "styles"}]).json()
    assert outside["done"] == 0 and outside["failed"]
