"""Favourites through the routes: the star's route, the grid's rows, renames by the deck
and by hand."""

from __future__ import annotations

import os

H = {"X-Edeck": "1"}


def _rows(client) -> dict:
    return {r["path"]: r for r in client.get("/edeck/v1/grid").json()["entries"]}


def test_star_rename_and_move_keep_a_favourite(fake_client, fake):
    client = fake_client
    assert not any("fav" in r for r in _rows(client).values())  # sent only when set
    res = client.post("/edeck/v1/favourite", json={"path": "badhandv4.pt", "on": True}, headers=H)
    assert res.status_code == 200, res.text
    assert res.json()["row"]["fav"] is True
    assert _rows(client)["badhandv4.pt"]["fav"] is True
    # renamed by the deck: the row it returns is still a favourite
    stamp = _rows(client)["badhandv4.pt"]["stamp"]
    moved = client.post(
        "/edeck/v1/rename", json={"path": "badhandv4.pt", "name": "badhand5", "stamp": stamp}, headers=H
    )
    assert moved.status_code == 200, moved.text
    assert [r.get("fav") for r in moved.json()["rows"] if r["path"] == "badhand5.pt"] == [True]
    # moved by hand into a folder, then Refresh: found again by its hash
    os.rename(os.path.join(fake.folder, "badhand5.pt"), os.path.join(fake.folder, "styles", "badhand5.pt"))
    client.post("/edeck/v1/refresh", headers=H)
    rows = _rows(client)
    assert rows["styles/badhand5.pt"]["fav"] is True
    assert [p for p, r in rows.items() if r.get("fav")] == ["styles/badhand5.pt"]
    off = client.post("/edeck/v1/favourite", json={"path": "styles/badhand5.pt", "on": False}, headers=H)
    assert "fav" not in off.json()["row"]
    assert not any("fav" in r for r in _rows(client).values())


def test_broken_files_and_foreign_paths_are_refused(fake_client):
    client = fake_client
    broken = client.post(
        "/edeck/v1/favourite", json={"path": "broken/truncated.safetensors", "on": True}, headers=H
    )
    assert broken.status_code in (400, 422) and "not a readable embedding" in broken.json()["error"]
    outside = client.post("/edeck/v1/favourite", json={"path": "../x.pt", "on": True}, headers=H)
    assert 400 <= outside.status_code < 500
    assert client.post("/edeck/v1/favourite", json={"path": "badhandv4.pt", "on": True}).status_code == 403
