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

// describe(): what the touch stepper shows — the unit a press edits and its weight now.
const DESCRIBE = [
    ["EasyNegative, badhand", 3, 3, {label: "EasyNegative", weight: 1, start: 0, end: 12}],
    ["(EasyNegative:1.2), x", 3, 3, {label: "EasyNegative", weight: 1.2, start: 0, end: 18}],
    ["((EasyNegative)), x", 4, 4, {label: "EasyNegative", weight: 1.2, start: 0, end: 16}],
    ["[bad], x", 2, 2, {label: "bad", weight: 0.9, start: 0, end: 5}],
    ["<lora:foo:0.8>", 3, 3, {label: "<lora:foo:0.8>", weight: 0.8, start: 0, end: 14}],
    ["a, b c", 3, 6, {label: "b c", weight: 1, start: 3, end: 6}],
    ["a, ", 3, 3, null],
    ["[a:b:5]", 6, 6, null], // the step number of prompt editing is not a word
    ["", 0, 0, null],
];
for (const [text, s, e, want] of DESCRIBE) {
    test(`describe ${JSON.stringify(text)} [${s},${e}]`, () => {
        assert.deepEqual(W.describe(text, s, e), want);
    });
}

test("describe agrees with adjust: a step from the shown weight gives the next one", () => {
    for (const [text, s, e, want] of DESCRIBE) {
        if (!want || text.includes("<")) {
            continue;
        }
        const up = W.adjust(text, s, e, true);
        const next = W.describe(up.text, up.start, up.end);
        assert.equal(next.label, want.label);
        assert.ok(Math.abs(next.weight - (want.weight + 0.1)) < 1e-9, `${text}: ${next.weight}`);
    }
});
