// Prompt insertion/removal rules on the shared table (tests/cases/prompt.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const P = require("../../javascript/edeck_11_prompt.js");

const table = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "cases", "prompt.json"), "utf8"));

for (const c of table.find) {
    test(`find ${c.id}`, () => {
        const got = P.findAll(c.text, c.name).map((o) => [o.start, o.end, o.weight]);
        assert.deepEqual(got, c.expect);
    });
}

for (const c of table.toggle) {
    test(`toggle ${c.id}`, () => {
        const r = P.toggle(c.text, c.caret, c.name, c.weight === undefined ? 1 : c.weight);
        assert.equal(r.text, c.expect);
        assert.equal(r.start, c.caret_after);
        // a second click undoes the first: the name is gone again (or back)
        const again = P.toggle(r.text, r.start, c.name, c.weight === undefined ? 1 : c.weight);
        assert.notEqual(again.action, r.action);
    });
}

test("custom separator from the WebUI setting", () => {
    assert.equal(P.insert("a cat", null, "EasyNegative", " ").text, "a cat EasyNegative");
    assert.equal(P.insert("a cat", null, "EasyNegative", ", ").text, "a cat, EasyNegative");
});
