// The JS twin of embedding_deck/query.py, on the same case table (tests/cases/query.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");
const Q = require("../../javascript/edeck_12_query.js");
const F = require("../../javascript/edeck_13_format.js");
const S = require("../../javascript/edeck_14_syntax.js");

const table = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "cases", "query.json"), "utf8"));

function rows() {
    return table.entries.map((r) => ({
        ...r,
        description: (r.metadata || {}).description || "",
        notes: (r.metadata || {}).notes || "",
        tags: (r.metadata || {}).tags || [],
        arch: r.arch || "unknown",
    }));
}

for (const c of table.cases) {
    test(`query case ${c.id}`, () => {
        const got = Q.run(rows(), {text: c.text || "", folder: c.folder || "", sort: c.sort || "path", desc: !!c.desc});
        assert.deepEqual(got.map((e) => e.path), c.expect);
    });
}

for (const c of table.syntax) {
    test(`query syntax case ${c.id}`, () => {
        const parsed = S.parse(c.text);
        const got = Q.ordered(rows().filter((e) => S.test(parsed, e)), "path", false);
        assert.deepEqual(got.map((e) => e.path), c.expect);
        assert.equal(S.explain(parsed), c.explain);
        assert.deepEqual(parsed.problems, c.problems);
        assert.equal(parsed.syntax, c.syntax);
    });
}

test("folder tree counts match Python's", () => {
    const got = Q.folderTree(rows(), ["", "neg", "neg/hands", "xl", "empty"]);
    assert.deepEqual(got, table.tree);
});

test("unknown sort key throws", () => {
    assert.throws(() => Q.ordered([], "colour"), /unknown sort key/);
});

test("incompatibility sentences", () => {
    assert.equal(Q.incompatibility({arch: "SD1"}, "SD1"), "");
    assert.equal(Q.incompatibility({arch: "SDXL"}, null), "");
    assert.match(Q.incompatibility({arch: "SDXL"}, "SD1"), /SDXL embedding: the loaded checkpoint is SD1/);
    assert.match(Q.incompatibility({arch: "unknown"}, "SDXL"), /fits no SD1, SD2 or SDXL/);
    assert.equal(Q.incompatibility({arch: "unknown", error: "broken"}, "SD1"), "");
    // the running WebUI refuses the file: skipped whatever the checkpoint
    assert.equal(Q.incompatibility({arch: "SD1", refused: "A1111 1.10 refuses this file: x"}, "SD1"),
        "A1111 1.10 refuses this file: x");
    assert.equal(Q.incompatibility({arch: "SD1", refused: "A1111 1.10 refuses this file: x"}, null),
        "A1111 1.10 refuses this file: x");
    const hidden = Q.run(rows().map((r) => ({...r, arch: r.path.startsWith("xl/") ? "SDXL" : "SD1"})),
        {family: "SD1", hideIncompatible: true});
    assert.ok(hidden.every((e) => !e.path.startsWith("xl/")));
});

test("status text", () => {
    assert.equal(F.status(12, 40), "12 of 40 embeddings");
    assert.equal(F.status(1, 1), "1 embedding");
    assert.equal(F.size(2048), "2.0 KB");
});

test("dot-folders follow the WebUI's hidden-models setting", () => {
    assert.equal(Q.showHidden("Always", "", ""), true);
    assert.equal(Q.showHidden("Never", "long search", ".trash"), false);
    for (const mode of [undefined, "When searched"]) {
        assert.equal(Q.showHidden(mode, "", ""), false);
        assert.equal(Q.showHidden(mode, "abc", ""), false); // fewer than 4 characters
        assert.equal(Q.showHidden(mode, "abcd", ""), true);
        assert.equal(Q.showHidden(mode, "", ".trash"), true); // the user opened the folder
        assert.equal(Q.showHidden(mode, "", "neg/.old"), true);
        assert.equal(Q.showHidden(mode, "", "neg"), false);
    }
});

test("one natural order for paths, names and tree folders (SD2 before SD15)", () => {
    const want = table.natural.paths;
    const shuffled = [...want].reverse();
    const rowsOf = (paths) => paths.map((p) => ({name: p.replace(/^.*\//, ""), path: p, folder: ""}));
    assert.deepEqual(Q.ordered(rowsOf(shuffled), "path").map((e) => e.path), want);
    assert.deepEqual(Q.ordered(rowsOf(shuffled), "path", true).map((e) => e.path), [...want].reverse());
    assert.deepEqual([...shuffled].sort(Q.compareNatural), want);
    const names = ["x10", "x2", "X1"];
    assert.deepEqual(Q.ordered(names.map((n) => ({name: n, path: n + ".pt"})), "name").map((e) => e.name),
        ["X1", "x2", "x10"]);
});
