// Property testing for the weight editor (javascript/edeck_10_weight.js): a seeded generator
// of realistic prompts, carets, selections and key presses; the properties every press must
// keep, judged by the independent oracle in prompt_oracle.js; and a shrinker that reduces a
// failing case to a minimal one. Used by weight_property.test.js.
"use strict";
const {parsePrompt, flatten, unmatched} = require("./prompt_oracle.js");

/** mulberry32: a small seeded PRNG, so every failure can be replayed from its seed. */
function rng(seed) {
    let a = seed >>> 0;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return {next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]};
}

const WORDS = [
    "EasyNegative", "badhandv4", "ng_deepnegative_v1_75t", "bad-hands-5", "negativeXL_D", "bad_prompt_v2",
    "verybadimagenegative_v1.3", "1girl", "masterpiece", "best quality", "2.5d", "8k", "cat", "dog", "red cat",
    "猫", "日本語のプロンプト", "🐱", "hatsune miku \\(cosplay\\)", "\\[x\\]", "a\\\\b", "BREAK", "score_9", "v1.5",
    "0.5", "10", "x", "a, b",
];
const COLON_WORDS = ["embedding:EasyNegative", "cat:1.5", "a:b", "(x:1 y)"];
const SEPARATORS = [", ", " ", ",", "\n", ", ", " BREAK ", "  ", ",\n"];
const WEIGHTS = ["1.2", "0.8", "1.1", "1.3", ".5", "1", "2", "0.05", "1.25", " 1.3", "1.4 ", "1.10", "0.95", "1.05", "0", "-0.5"];
const STEPS = ["0.5", "5", "0.2", "10", " 0.3 ", "1", "20"];
const TAGS = [
    "<lora:foo:0.8>", "<lora:foo:0.7:0.5>", "<lora:foo>", "<hypernet:x:1>", "<lora:foo:unet=0.5>",
    "<lora:add_detail:-0.5>", "<lora:my lora (v2):1.2>", "<lyco:bar:.9>",
];
const OPTS = [
    {keyedit_precision_attention: 0.05}, {keyedit_precision_attention: 0.15}, {keyedit_precision_extra: 0.1},
    {keyedit_delimiters: ".,\\/!?%^*;{}=`~() "}, {keyedit_delimiters_whitespace: []},
];

/** A sequence of items; inSlot: inside a part of [a:b:N] or [a|b], where ":" and "|" are syntax. */
function genSeq(r, depth, inSlot) {
    const n = 1 + r.int(depth ? 3 : 5);
    let out = "";
    for (let i = 0; i < n; i++) out += (i ? r.pick(SEPARATORS) : "") + genItem(r, depth, inSlot);
    return out;
}

function genItem(r, depth, inSlot) {
    const roll = depth >= 3 ? 0 : r.next();
    const seq = (slot = false) => genSeq(r, depth + 1, slot);
    if (roll < 0.45) return !inSlot && r.next() < 0.1 ? r.pick(COLON_WORDS) : r.pick(WORDS);
    if (roll < 0.56) return `(${seq()}:${r.pick(WEIGHTS)})`;
    if (roll < 0.61) return `(${seq()})`;
    if (roll < 0.64) return `((${seq()}))`;
    if (roll < 0.68) return `[${seq(true)}]`;
    if (roll < 0.76) {
        const forms = [() => `[${seq(true)}:${seq(true)}:${r.pick(STEPS)}]`, () => `[${seq(true)}:${r.pick(STEPS)}]`,
            () => `[${seq(true)}::${r.pick(STEPS)}]`, () => `[:${seq(true)}:${r.pick(STEPS)}]`];
        return r.pick(forms)();
    }
    if (roll < 0.81) return `[${seq(true)}|${r.next() < 0.2 ? "" : seq(true)}${r.next() < 0.3 ? "|" + seq(true) : ""}]`;
    if (roll < 0.9) return r.pick(TAGS);
    return r.pick(WORDS);
}

/** One case: a prompt (one in ten damaged), a caret or selection, 1–5 presses, options. */
function genCase(r) {
    let text = genSeq(r, 0, false) + (r.next() < 0.1 ? r.pick([" ", "\n", ", "]) : "");
    const damaged = r.next() < 0.1;
    if (damaged) {
        const at = r.int(text.length + 1);
        text = r.next() < 0.5 ? text.slice(0, at) + r.pick("()[]|\\<:".split("")) + text.slice(at)
            : text.slice(0, at) + text.slice(at + 1);
    }
    const a = r.int(text.length + 1);
    const b = r.next() < 0.5 ? a : r.int(text.length + 1);
    const keys = Array.from({length: r.pick([1, 1, 1, 1, 2, 2, 2, 3, 4, 5])}, () => r.next() < 0.5);
    return {text, sel: [Math.min(a, b), Math.max(a, b)], keys, opts: r.next() < 0.15 ? r.pick(OPTS) : {}, damaged};
}

const close = (x, y) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
const isText = (u) => u && u.t === "char";
const isDigit = (u) => isText(u) && u.key >= "0" && u.key <= "9" && u.key.length === 1;

/** A weight boundary between text units i and i+1 that lies inside a number. */
function splitsNumber(units, i) {
    const gap = isText(units[i]) && isText(units[i + 1]) && units[i].e !== units[i + 1].s;
    if (!gap) return false;
    const dot = (j) => units[j] && units[j].key === ".";
    return (isDigit(units[i]) && isDigit(units[i + 1])) ||
        (isDigit(units[i]) && dot(i + 1) && isDigit(units[i + 2])) ||
        (dot(i) && isDigit(units[i - 1]) && isDigit(units[i + 1]));
}

function fail(kind, detail = "") {
    return {kind, detail};
}

/** Weights: outside the returned selection unchanged; inside, one group moved one way. */
function checkWeights(ua, ub, out, up) {
    let ratio = null;
    let moved = 0;
    let tags = 0;
    for (let i = 0; i < ua.length; i++) {
        if (ua[i].tag !== undefined && ua[i].tag !== ub[i].tag) {
            tags++;
            const d = parseFloat(ub[i].tag) - parseFloat(ua[i].tag);
            if (!(up ? d > 0 : d < 0)) return fail("a tag multiplier moved the wrong way", `${ua[i].tag} → ${ub[i].tag}`);
        }
        if (!isText(ua[i]) || close(ua[i].mult, ub[i].mult)) continue;
        if (ub[i].s < out.start || ub[i].e > out.end) return fail("a weight changed outside the edited span", ub[i].key);
        moved++;
        const q = ua[i].mult === 0 ? null : ub[i].mult / ua[i].mult;
        if (q !== null && ratio !== null && !close(q, ratio)) return fail("the edited span did not move as one group");
        ratio = q ?? ratio;
        if (ua[i].pos && ub[i].pos && !(up ? ub[i].mult > ua[i].mult : ub[i].mult < ua[i].mult)) {
            return fail("a weight moved the wrong way", `${ua[i].mult} → ${ub[i].mult}`);
        }
    }
    if (tags > 1 || (tags && moved)) return fail("more than one weight changed");
    const textInSpan = ub.some((u) => isText(u) && u.mult !== 0 && u.s >= out.start && u.e <= out.end);
    return tags || moved || !textInSpan ? null : fail("changed, but no weight moved");
}

/** A press on a prompt that is not valid: it may not get worse, nor lose any letter. */
function checkDamaged(inp, out) {
    if (unmatched(out.text) > unmatched(inp.text)) return fail("more unmatched brackets");
    let p = 0;
    while (p < inp.text.length && inp.text[p] === out.text[p]) p++;
    let q = 0;
    while (q < inp.text.length - p && q < out.text.length - p &&
        inp.text[inp.text.length - 1 - q] === out.text[out.text.length - 1 - q]) q++;
    const letters = (s) => s.replace(/[()[\]:.\d+\-\s]/g, "");
    const lost = letters(inp.text.slice(p, inp.text.length - q));
    const added = letters(out.text.slice(p, out.text.length - q));
    return lost === added ? null : fail("text lost or added", `${JSON.stringify(lost)} → ${JSON.stringify(added)}`);
}

const parsedOutput = new WeakMap(); // adjust's result → its parse, reused for the next press

/** Every property of one press from inp ({text, start, end}) to out (adjust's result). */
function checkPress(inp, out, up, a = parsePrompt(inp.text)) {
    if (!out.changed) {
        const same = out.text === inp.text && out.start === inp.start && out.end === inp.end;
        return same ? null : fail("no edit, yet the text or selection changed");
    }
    if (out.text === inp.text) return fail("reported a change that is none");
    if (!(out.start >= 0 && out.start <= out.end && out.end <= out.text.length)) return fail("selection out of range");
    if (!a.ok) return checkDamaged(inp, out);
    const b = parsePrompt(out.text);
    parsedOutput.set(out, b);
    if (!b.ok) return fail("invalid output", b.error);
    const ua = (a.units ??= flatten(a.items));
    const ub = (b.units ??= flatten(b.items));
    if (ua.length !== ub.length || ua.some((u, i) => u.key !== ub[i].key)) {
        return fail("text, tag names or structure not kept");
    }
    if (ua.some((u, i) => !splitsNumber(ua, i) && splitsNumber(ub, i))) return fail("a weight inside a number");
    return checkWeights(ua, ub, out, up);
}

/**
 * Run one case's presses, each on the last one's text and selection (a key held down).
 * @returns {object|null} the first failure, with that press's input and output; or null
 */
function runCase(W, c, stats = {}) {
    const opts = W.optionsFrom(c.opts);
    let state = {text: c.text, start: c.sel[0], end: c.sel[1]};
    let parsed = parsePrompt(state.text);
    for (let i = 0; i < c.keys.length; i++) {
        const out = W.adjust(state.text, state.start, state.end, c.keys[i], opts);
        const f = checkPress(state, out, c.keys[i], parsed);
        if (f) return {...f, press: i, input: state, output: out};
        stats.presses = (stats.presses || 0) + 1;
        stats.edits = (stats.edits || 0) + (out.changed ? 1 : 0);
        if (out.changed) parsed = parsedOutput.get(out) || parsePrompt(out.text);
        state = out;
    }
    return null;
}

function removeChunk(c, at, size) {
    const move = (x) => (x <= at ? x : x >= at + size ? x - size : at);
    return {...c, text: c.text.slice(0, at) + c.text.slice(at + size), sel: [move(c.sel[0]), move(c.sel[1])]};
}

/** Smaller variants of a case: fewer presses, default options, a smaller selection, less text. */
function* smaller(c) {
    for (let k = 1; k < c.keys.length; k++) yield {...c, keys: c.keys.slice(0, k)};
    if (c.keys.length > 1) yield {...c, keys: c.keys.slice(1)};
    if (Object.keys(c.opts).length) yield {...c, opts: {}};
    const [s, e] = c.sel;
    if (s < e) yield* [{...c, sel: [s, s]}, {...c, sel: [e, e]}, {...c, sel: [s + 1, e]}, {...c, sel: [s, e - 1]}];
    for (let size = c.text.length >> 1 || 1; size >= 1; size >>= 1) {
        for (let at = 0; at + size <= c.text.length; at += size) yield removeChunk(c, at, size);
        if (size === 1) break;
    }
}

/** Reduce a failing case while it still fails the same way; at most `budget` runs. */
function shrink(c, failsSame, budget = 5000) {
    let best = c;
    let progress = true;
    while (progress && budget > 0) {
        progress = false;
        for (const cand of smaller(best)) {
            if (--budget <= 0) break;
            if (failsSame(cand)) {
                best = cand;
                progress = true;
                break;
            }
        }
    }
    return best;
}

/** Run n generated cases from a seed; figures, and the first failure shrunk to a minimal case. */
function runSeed(W, seed, n) {
    const r = rng(seed);
    const stats = {cases: n, damaged: 0, presses: 0, edits: 0, failures: 0, first: null};
    for (let i = 0; i < n; i++) {
        const c = genCase(r);
        stats.damaged += c.damaged ? 1 : 0;
        const f = runCase(W, c, stats);
        if (!f) continue;
        stats.failures++;
        if (!stats.first) {
            const same = (x) => {
                const g = runCase(W, x);
                return !!g && g.kind === f.kind;
            };
            const minimal = shrink(c, same);
            stats.first = {index: i, original: c, failure: f, minimal, minimalFailure: runCase(W, minimal)};
        }
    }
    return stats;
}

module.exports = {rng, genCase, checkPress, runCase, shrink, runSeed};
