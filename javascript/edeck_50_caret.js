/**
 * Embedding Deck — prompt boxes: remembers the caret the user last left in each txt2img /
 * img2img prompt box, applies our edits there (undoable), and turns a card click into an
 * insert or a removal in the chosen tab's negative prompt (Shift: positive).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var BOX_ID = /^(txt2img|img2img)_(neg_)?prompt$/;
    var carets = new WeakMap();
    var undo = new WeakMap();
    var lastBox = null; // the prompt box the user (or a card) edited last: the stepper's

    function promptBoxOf(el) {
        if (!el || el.tagName !== "TEXTAREA") {
            return null;
        }
        var wrap = el.closest("[id]");
        while (wrap && !BOX_ID.test(wrap.id)) {
            wrap = wrap.parentElement && wrap.parentElement.closest("[id]");
        }
        return wrap ? BOX_ID.exec(wrap.id) : null;
    }

    /** The textarea of tab ("txt2img"/"img2img"), which = "neg" | "pos". */
    function box(tab, which) {
        return EDeck.host.$("#" + tab + (which === "neg" ? "_neg_prompt" : "_prompt") + " textarea");
    }

    function remember(ev) {
        var el = ev.composedPath ? ev.composedPath()[0] : ev.target;
        var m = promptBoxOf(el);
        if (!m) {
            return;
        }
        carets.set(el, {start: el.selectionStart, end: el.selectionEnd});
        lastBox = el;
        if (EDeck.stepper) {
            EDeck.stepper.update();
        }
        if (ev.type === "focusin" && EDeck.deck) {
            EDeck.deck.followTab(m[1]);
        }
        if (ev.type === "input" && EDeck.deck) {
            EDeck.deck.promptsChanged();
        }
    }

    ["keyup", "mouseup", "select", "input", "focusin", "focusout"].forEach(function (type) {
        document.addEventListener(type, remember, true);
    });

    /** Tagcomplete treats execCommand's input as typing; pause it as weight-helper does. */
    function quietly(fn) {
        var cfg = window.TAC_CFG && window.TAC_CFG.activeIn;
        var saved = cfg ? cfg.global : undefined;
        if (cfg) {
            cfg.global = false;
        }
        try {
            return fn();
        } finally {
            if (cfg) {
                cfg.global = saved;
            }
        }
    }

    /**
     * Show ta's display:none ancestors (the txt2img tab while ours is in front) until the
     * returned function runs. Both happen in one task, so nothing is ever painted.
     */
    function reveal(ta) {
        var shown = [];
        for (var n = ta; n && n.nodeType === 1; n = n.parentElement || (n.getRootNode().host || null)) {
            if (getComputedStyle(n).display === "none") {
                shown.push([n, n.style.getPropertyValue("display"), n.style.getPropertyPriority("display")]);
                n.style.setProperty("display", "block", "important");
            }
        }
        return function () {
            shown.reverse().forEach(function (s) {
                if (s[1]) {
                    s[0].style.setProperty("display", s[1], s[2]);
                } else {
                    s[0].style.removeProperty("display");
                }
            });
        };
    }

    /**
     * Replace the textarea's text with next and select [start, end), through execCommand, so
     * the browser's own undo stack holds our edit beside the user's typing: Ctrl+Z walks
     * back through both. A box in a hidden tab is shown for that instant, and the focus
     * goes back where it was. Only where execCommand fails is the value set directly, with
     * our own undo step for its Ctrl+Z.
     */
    function applyEdit(ta, next, start, end) {
        var old = ta.value;
        if (old !== next) {
            var p = 0;
            while (p < old.length && p < next.length && old[p] === next[p]) {
                p++;
            }
            var q = 0;
            while (q < old.length - p && q < next.length - p && old[old.length - 1 - q] === next[next.length - 1 - q]) {
                q++;
            }
            var before = EDeck.host.activeElement();
            var hidden = ta.getClientRects().length === 0;
            var restore = hidden ? reveal(ta) : null;
            var done = quietly(function () {
                ta.focus({preventScroll: true});
                if (EDeck.host.activeElement() !== ta) {
                    return false;
                }
                ta.setSelectionRange(p, old.length - q);
                var piece = next.slice(p, next.length - q);
                return document.execCommand(piece ? "insertText" : "delete", false, piece);
            });
            if (restore) {
                ta.setSelectionRange(start, end);
                restore();
                if (before && before !== ta && before.focus) {
                    before.focus({preventScroll: true});
                }
            }
            if (!done || ta.value !== next) {
                ta.value = next;
                var stack = undo.get(ta) || [];
                stack.push({before: old, after: next});
                undo.set(ta, stack.slice(-50));
            }
        }
        ta.setSelectionRange(start, end);
        carets.set(ta, {start: start, end: end});
        lastBox = ta;
        EDeck.host.updateInput(ta);
        if (EDeck.deck) {
            EDeck.deck.promptsChanged();
        }
    }

    /** Ctrl+Z on a prompt box whose text is still our last direct edit restores it. */
    function undoOwnEdit(ta) {
        var stack = undo.get(ta);
        if (!stack || !stack.length) {
            return false;
        }
        var last = stack[stack.length - 1];
        if (last.after !== ta.value) {
            undo.delete(ta);
            return false;
        }
        stack.pop();
        ta.value = last.before;
        EDeck.host.updateInput(ta);
        if (EDeck.deck) {
            EDeck.deck.promptsChanged();
        }
        return true;
    }

    function separator() {
        // The WebUI's extra-networks separator, when the user changed it from its " " default.
        var sep = EDeck.host.opts().extra_networks_add_text_separator;
        return typeof sep === "string" && sep !== " " && sep !== "" ? sep : ", ";
    }

    function cardClick(action, entry, ev, card, deck) {
        if (action !== "click" && action !== "positive" && action !== "negative") {
            return;
        }
        if (entry.error) {
            deck.message(EDeck.t("{name} cannot be used: {error}", {name: entry.name, error: EDeck.t(entry.error)}));
            return;
        }
        var which = entry.target === "positive" ? "pos" : "neg";
        if (action === "positive" || ev.shiftKey) {
            which = "pos";
        } else if (action === "negative") {
            which = "neg";
        }
        var tab = deck.drawerTab || deck.state.target;
        var ta = box(tab, which);
        if (!ta) {
            deck.message(EDeck.t("There is no {tab} prompt box on this page.", {tab: tab}));
            return;
        }
        var caret = carets.get(ta);
        var r = EDeck.prompt.toggle(ta.value, caret ? caret.end : null, entry.name, entry.weight, separator());
        applyEdit(ta, r.text, r.start, r.end);
        var skipped = r.action === "inserted" ? EDeck.query.incompatibility(entry, deck.family) : "";
        deck.message(skipped ? EDeck.t("{name} is in the prompt, but the WebUI skips it: {why}",
            {name: entry.name, why: skipped}) : "", "info");
    }

    /** Mark a card with where its embedding is in the target tab's prompts, and its weight. */
    function decorate(card, entry) {
        var deck = EDeck.deck;
        var tab = deck ? deck.drawerTab || deck.state.target : "txt2img";
        var marks = [["neg", "edeck-in-negative", "−"], ["pos", "edeck-in-positive", "+"]];
        var old = card.querySelector(".edeck-in");
        if (old) {
            old.remove();
        }
        var label = [];
        marks.forEach(function (m) {
            var ta = box(tab, m[0]);
            var w = ta ? EDeck.prompt.presence(ta.value, entry.name) : null;
            card.classList.toggle(m[1], w !== null);
            if (w !== null) {
                label.push(m[2] + (w === 1 ? "" : w));
            }
        });
        card.dataset.inPrompt = label.join(" ");
        if (label.length) {
            var badge = document.createElement("span");
            badge.className = "edeck-badge edeck-in";
            badge.textContent = label.join(" ");
            badge.title = EDeck.t("In the {tab} prompt (− negative, + positive), with its weight", {tab: tab});
            card.querySelector(".edeck-badges").appendChild(badge);
        }
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.cardClick.push(cardClick);
    EDeck.hooks.cardDecorate.push(decorate);
    /**
     * Undo the last edit in ta, one step: our own direct edit, else the browser's undo
     * (which holds our execCommand edits and the user's typing). A box in a hidden tab is
     * shown for that instant; the focus goes back where it was.
     */
    function undoEdit(ta) {
        if (undoOwnEdit(ta)) {
            return true;
        }
        var old = ta.value;
        var before = EDeck.host.activeElement();
        var restore = ta.getClientRects().length === 0 ? reveal(ta) : null;
        quietly(function () {
            ta.focus({preventScroll: true});
            document.execCommand("undo");
        });
        if (restore) {
            restore();
        }
        if (before && before !== ta && before !== document.body && before.focus) {
            before.focus({preventScroll: true});
        }
        if (ta.value === old) {
            return false;
        }
        rememberBox(ta);
        EDeck.host.updateInput(ta);
        return true;
    }

    /** Take ta's selection as its caret and ta as the last-used box (after an undo). */
    function rememberBox(ta) {
        carets.set(ta, {start: ta.selectionStart, end: ta.selectionEnd});
        lastBox = ta;
        if (EDeck.deck) {
            EDeck.deck.promptsChanged();
        }
    }

    /** The last-used prompt box and its remembered selection, or null. */
    function last() {
        if (!lastBox || !lastBox.isConnected) {
            return null;
        }
        var c = carets.get(lastBox) || {start: lastBox.value.length, end: lastBox.value.length};
        return {ta: lastBox, start: c.start, end: c.end, which: promptBoxOf(lastBox)};
    }

    EDeck.caret = {last: last, remember: rememberBox, undoEdit: undoEdit, box: box, applyEdit: applyEdit, undoOwnEdit: undoOwnEdit, promptBoxOf: promptBoxOf, decorate: decorate};
})();
