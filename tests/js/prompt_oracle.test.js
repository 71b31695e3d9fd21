// The validity oracle itself (prompt_oracle.js): which prompts it accepts, and what it keeps.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {parsePrompt, flatten, unmatched} = require("./prompt_oracle.js");

const VALID = [
    "", "a cat, (EasyNegative:1.2)", "((masterpiece)), [blurry]", "(cat: 1.2 )", "(a (b:1.2) c:1.1)",
    "[cat:dog:0.5]", "[cat:5]", "[cat::3]", "[:dog:0.2]", "[cat|dog|]", "embedding:name", "(a:1 b)", "[a:b]",
    "hatsune miku \\(cosplay\\)", "<lora:foo:0.8>", "<lora:my (v2):1>", "(<lora:a:1> x:1.1)", "a\\", "猫, 🐱",
    "[(a:b:1.2)|c]", "\\<lora:a:1>",
];
const INVALID = [
    "(cat", "cat)", "[cat", "cat]", "(cat]", "[cat)", "a|b", "(a|b)", "[a:b|c]", "hatsune miku \\(cosplay\\:1.2)",
    "<lora:foo:0.(8>:1.1)", "[cat:dog:0.5",
];

test("valid prompts parse", () => {
    for (const p of VALID) assert.ok(parsePrompt(p).ok, p);
});

test("invalid prompts do not", () => {
    for (const p of INVALID) assert.equal(parsePrompt(p).ok, false, p);
});

test("weights multiply, and only text, tags and structure are kept as keys", () => {
    const units = flatten(parsePrompt("(a [b]:2) [c:d:0.5] <lora:x:0.3>").items);
    const key = units.map((u) => u.key).join("");
    assert.equal(key, "a b \u0001[schedc\u0001:d\u0001:0.5\u0001] <lora:x:#:>");
    assert.equal(units[0].mult, 2);
    assert.ok(Math.abs(units[2].mult - 2 / 1.1) < 1e-12);
    assert.equal(units.at(-1).tag, "0.3");
});

test("a weighted-away step number changes the structure", () => {
    const keys = (p) => flatten(parsePrompt(p).items).map((u) => u.key).join("");
    assert.notEqual(keys("[cat:dog:0.5]"), keys("[cat:dog:0.(5:1.1)]"));
    assert.notEqual(keys("[cat:0.2]"), keys("[cat:(0:1.1).2]"));
    assert.notEqual(keys("[cat|dog]"), keys("[cat dog]"));
});

test("unmatched counts brackets left open or closed twice, escapes and tags aside", () => {
    assert.equal(unmatched("(a [b]) \\( <lora:x(:1>"), 0);
    assert.equal(unmatched("(a [b)"), 3);
    assert.equal(unmatched("a) (b"), 2);
});
