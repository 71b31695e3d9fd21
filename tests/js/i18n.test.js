// EDeck.t: exact UI strings, {placeholder} filling, and server sentences matched back to
// their templates (tests with the real ja_JP.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const root = path.join(__dirname, "..", "..");
const ja = JSON.parse(fs.readFileSync(path.join(root, "localizations", "ja_JP.json"), "utf8"));

function load(localization) {
    const window = {localization, document: {querySelector: () => null}, setTimeout: () => 0, addEventListener() {}};
    window.window = window;
    const ctx = vm.createContext(window);
    vm.runInContext(fs.readFileSync(path.join(root, "javascript", "edeck_00_host.js"), "utf8"), ctx);
    return window.EDeck;
}

test("exact strings and placeholders", () => {
    const E = load(ja);
    assert.equal(E.t("Refresh"), "更新");
    assert.equal(E.t("{visible} of {total} embeddings", {visible: 3, total: 40}), "40 個中 3 個の埋め込み");
});

test("server sentences with details are matched to their template", () => {
    const E = load(ja);
    assert.equal(
        E.t("Refused: the file asks to run posix.system, which an embedding never needs (it may be malicious). Nothing in it was executed."),
        "拒否しました: このファイルは posix.system の実行を求めていますが、埋め込みには不要です (悪意がある可能性があります)。中身は何も実行していません。",
    );
    assert.equal(E.t("The image has 48 megapixels; the limit is 40."), "画像は 48 メガピクセルです。上限は 40 です。");
});

test("English when there is no dictionary or no match", () => {
    assert.equal(load({}).t("{n} vecs", {n: 2}), "2 vecs");
    assert.equal(load(ja).t("Something new."), "Something new.");
});
