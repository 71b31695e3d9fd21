// Ctrl+Up/Down never breaks a prompt: seeded generated cases (realistic prompts, carets,
// selections, up to five presses in a row) through javascript/edeck_10_weight.js, every
// output judged by the independent oracle in prompt_oracle.js. A failure is shrunk to a
// minimal case and printed with its seed, so it can be replayed and added to weight.json.
// More: EDECK_PROP_SEEDS=1,2,3 EDECK_PROP_CASES=50000 node --test tests/js/weight_property.test.js
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const W = require("../../javascript/edeck_10_weight.js");
const {genCase, rng, runCase, runSeed, shrink} = require("./weight_property.js");
const {parsePrompt} = require("./prompt_oracle.js");

const SEEDS = (process.env.EDECK_PROP_SEEDS || "20260101,7,1414,99991").split(",").map(Number);
const CASES = Number(process.env.EDECK_PROP_CASES || 5000); // per seed: 20,000 per run by default

function report(seed, stats) {
    const f = stats.first;
    return [
        `seed ${seed}: ${stats.failures} of ${stats.cases} cases failed; the first (case ${f.index}), shrunk:`,
        `  minimal: ${JSON.stringify(f.minimal)}`,
        `  fails:   ${f.minimalFailure.kind} ${f.minimalFailure.detail} at press ${f.minimalFailure.press}`,
        `  input:   ${JSON.stringify(f.minimalFailure.input)}`,
        `  output:  ${JSON.stringify(f.minimalFailure.output)}`,
        `  original: ${JSON.stringify(f.original)}`,
    ].join("\n");
}

for (const seed of SEEDS) {
    test(`seed ${seed}: ${CASES} generated cases, every output a valid prompt that keeps all text`, (t) => {
        const stats = runSeed(W, seed, CASES);
        t.diagnostic(`${stats.cases} cases (${stats.damaged} damaged), ${stats.presses} presses, ${stats.edits} edits`);
        if (stats.failures) assert.fail(report(seed, stats));
        assert.ok(stats.edits > stats.presses * 0.5, "most presses must edit, or the test proves nothing");
    });
}

test("the generator makes valid prompts, and one in ten damaged on purpose", () => {
    const r = rng(5);
    let valid = 0;
    let damaged = 0;
    for (let i = 0; i < 2000; i++) {
        const c = genCase(r);
        damaged += c.damaged ? 1 : 0;
        valid += parsePrompt(c.text).ok ? 1 : 0;
        if (!c.damaged) assert.ok(parsePrompt(c.text).ok, c.text);
    }
    assert.ok(damaged > 100 && damaged < 300, String(damaged));
    assert.ok(valid < 2000, "some damage must make a prompt invalid");
});

test("a known breakage is caught and shrunk to a minimal case", () => {
    // A1111's own slip: the digit after the step's ":" is taken for a word and weighted.
    const broken = {
        optionsFrom: W.optionsFrom,
        adjust(text, start, end, up, opts) {
            const m = /\[[^\]]*:(\d)/.exec(text);
            if (!m) return W.adjust(text, start, end, up, opts);
            const at = m.index + m[0].length - 1;
            return {text: `${text.slice(0, at)}(${text[at]}:1.1)${text.slice(at + 1)}`, start, end, changed: true};
        },
    };
    const c = {text: "masterpiece, [cat:dog:5], (EasyNegative:1.2)", sel: [3, 3], keys: [true, false, true], opts: {}};
    const f = runCase(broken, c);
    assert.equal(f.kind, "text, tag names or structure not kept");
    const minimal = shrink(c, (x) => runCase(broken, x)?.kind === f.kind);
    assert.deepEqual(minimal, {text: "[:5]", sel: [0, 0], keys: [true], opts: {}});
});
