// Every javascript/*.js is a classic script (the WebUI injects them as <script>, not
// modules) and they load together, alphabetically, into one global scope without errors,
// adding exactly one global: EDeck.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const dir = path.join(__dirname, "..", "..", "javascript");
const files = fs.readdirSync(dir).filter((n) => n.endsWith(".js")).sort();

test("files are named edeck_NN_<concern>.js", () => {
    for (const name of files) assert.match(name, /^edeck_\d\d_[a-z0-9]+\.js$/);
});

for (const name of files) {
    test(`${name} parses as a classic script`, () => {
        new vm.Script(fs.readFileSync(path.join(dir, name), "utf8"), {filename: name});
    });
}

test("all files load into one page scope and add only window.EDeck", () => {
    const listeners = [];
    const fakeDocument = {
        querySelector: () => null,
        querySelectorAll: () => [],
        addEventListener: (type) => listeners.push(type),
        createElement: () => ({}),
    };
    const window = {
        document: fakeDocument,
        addEventListener: (type) => listeners.push("window:" + type),
        setTimeout: () => 0,
    };
    window.window = window;
    const context = vm.createContext(window);
    const before = new Set(Object.keys(window));
    for (const name of files) {
        vm.runInContext(fs.readFileSync(path.join(dir, name), "utf8"), context, {filename: name});
    }
    const added = Object.keys(window).filter((k) => !before.has(k));
    assert.deepEqual(added, ["EDeck"]);
    for (const part of ["host", "weight", "prompt", "query", "format", "api", "Grid", "Tree", "toolbar", "caret", "keys", "modal", "preview", "drawer"]) {
        assert.ok(window.EDeck[part], part);
    }
    assert.ok(listeners.includes("window:keydown"));
});
