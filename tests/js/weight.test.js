// Ctrl+Up/Down rules on the host-contract case table (tests/cases/weight.json); every row's
// result is also judged by the validity oracle (prompt_oracle.js) like the generated cases.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const W = require("../../javascript/edeck_10_weight.js");
const {checkPress} = require("./weight_property.js");

const table = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "cases", "weight.json"), "utf8"));

for (const c of table.cases) {
    const label = `row ${c.id}: ${JSON.stringify(c.text)} [${c.sel}] ${c.key}` + (c.deviation ? " (deviation)" : "");
    test(label, () => {
        const opts = W.optionsFrom(c.opts || {});
        const r = W.adjust(c.text, c.sel[0], c.sel[1], c.key === "Up", opts);
        assert.equal(r.text, c.expect);
        assert.deepEqual([r.start, r.end], c.expect_sel);
        assert.equal(r.changed, c.changed);
        const f = checkPress({text: c.text, start: c.sel[0], end: c.sel[1]}, r, c.key === "Up");
        assert.equal(f, null, f && `${f.kind} ${f.detail}`);
    });
}

test("three Up then three Down returns the original text", () => {
    let r = {text: "a cat, EasyNegative", start: 10, end: 10};
    for (let i = 0; i < 3; i++) r = W.adjust(r.text, r.start, r.end, true, W.DEFAULTS);
    assert.equal(r.text, "a cat, (EasyNegative:1.3)");
    for (let i = 0; i < 3; i++) r = W.adjust(r.text, r.start, r.end, false, W.DEFAULTS);
    assert.equal(r.text, "a cat, EasyNegative");
});

test("the table has at least 40 cases and every deviation names A1111's output", () => {
    assert.ok(table.cases.length >= 40);
    for (const c of table.cases.filter((x) => x.deviation)) assert.ok(c.a1111, c.id);
    assert.equal(new Set(table.cases.map((c) => c.id)).size, table.cases.length, "ids are unique");
});

test("no valid edit: text and selection come back exactly as given", () => {
    for (const [text, s, e] of [["[cat:dog:0.5]", 10, 10], ["(cat, dog", 6, 8], ["", 0, 0], ["a , b", 2, 2]]) {
        assert.deepEqual(W.adjust(text, s, e, true, W.DEFAULTS), {text, start: s, end: e, changed: false});
    }
});
