/**
 * Embedding Deck — one popup menu (WAI-ARIA menu button pattern), used by the card menu and
 * the toolbar's More: open(at, items, label) shows the items at a point or beside an
 * element, moves the focus to the first enabled one, and gives it back when it closes.
 * Arrows, Home/End and the first letter move; Enter/Space choose; Esc, Tab, a press
 * outside or a scroll close. Items are {label, run, disabled, title, note}.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var menu = null;
    var returnTo = null;
    var onClose = null;
    var closedFrom = {el: null, at: 0}; // a press on the opener closed it: its click must not reopen

    function isOpen() {
        return !!(menu && menu.isConnected && !menu.hidden);
    }

    function close(keepFocus) {
        if (!isOpen()) {
            return;
        }
        menu.hidden = true;
        menu.textContent = "";
        var back = returnTo;
        returnTo = null;
        if (onClose) {
            var fn = onClose;
            onClose = null;
            fn();
        }
        if (!keepFocus && back && back.isConnected && back.focus) {
            back.focus({preventScroll: true});
        }
    }

    function items() {
        return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]:not([disabled])"));
    }

    function move(to) {
        var list = items();
        if (!list.length) {
            return;
        }
        var i = list.indexOf(EDeck.host.activeElement());
        var next = {first: 0, last: list.length - 1, next: i + 1, prev: i - 1}[to];
        list[(next + list.length) % list.length].focus({preventScroll: true});
    }

    function onKey(ev) {
        var moves = {ArrowDown: "next", ArrowUp: "prev", Home: "first", End: "last"};
        if (moves[ev.key]) {
            ev.preventDefault();
            move(moves[ev.key]);
        } else if (ev.key === "Tab") {
            ev.preventDefault();
            close();
        } else if (ev.key.length === 1 && /\S/.test(ev.key)) {
            var hit = items().filter(function (b) {
                return b.firstChild.textContent.trim().toLowerCase().indexOf(ev.key.toLowerCase()) === 0;
            })[0];
            if (hit) {
                hit.focus();
            }
        }
    }

    function build(root) {
        menu = document.createElement("div");
        menu.className = "edeck-menu";
        menu.setAttribute("role", "menu");
        menu.hidden = true;
        menu.addEventListener("keydown", onKey);
        menu.addEventListener("click", function (ev) {
            var b = ev.target.closest("[role=menuitem]");
            if (b && !b.disabled) {
                ev.stopPropagation();
                var run = b._run;
                close();
                run();
            }
        });
        root.appendChild(menu);
        EDeck.layers.register({isOpen: isOpen, close: close}, true);
        document.addEventListener("pointerdown", function (ev) {
            var path = ev.composedPath ? ev.composedPath() : [ev.target];
            if (isOpen() && path.indexOf(menu) === -1) {
                closedFrom = {el: path.indexOf(returnTo) !== -1 ? returnTo : null, at: Date.now()};
                close(true);
            }
        }, true);
        window.addEventListener("scroll", function (ev) {
            var path = ev.composedPath ? ev.composedPath() : [ev.target];
            if (isOpen() && path.indexOf(menu) === -1) {
                close(true);
            }
        }, true);
    }

    /** Keep the menu on screen, also under a transformed ancestor (fixed is then relative). */
    function place(at) {
        var W = window.innerWidth;
        var H = window.innerHeight;
        menu.style.left = "0px";
        menu.style.top = "0px";
        var origin = menu.getBoundingClientRect();
        var r = menu.getBoundingClientRect();
        var x = at.x;
        var y = at.y;
        if (at.below) {
            y = at.below.bottom + 2;
            x = at.below.left;
            if (y + r.height > H) {
                y = Math.max(0, at.below.top - r.height - 2);
            }
        }
        x = Math.max(4, Math.min(x, W - r.width - 4));
        y = Math.max(4, Math.min(y, H - r.height - 4));
        menu.style.left = x - origin.left + "px";
        menu.style.top = y - origin.top + "px";
    }

    /**
     * Show the menu. at = {x, y} (a point) or {below: DOMRect}; label names it for screen
     * readers; back gets the focus back on close; closed() runs when it closes.
     */
    function open(root, at, list, label, back, closed) {
        if (!menu || !menu.isConnected) {
            build(root);
        }
        menu.textContent = "";
        menu.setAttribute("aria-label", label);
        list.forEach(function (item) {
            var b = document.createElement("button");
            b.type = "button";
            b.className = "edeck-menu-item";
            b.setAttribute("role", "menuitem");
            b.tabIndex = -1;
            b.textContent = item.label;
            if (item.note) {
                // why an item is off, readable without hover (a phone has no tooltips)
                var note = document.createElement("span");
                note.className = "edeck-menu-note";
                note.textContent = item.note;
                b.appendChild(note);
            }
            b.disabled = !!item.disabled;
            if (item.title) {
                b.title = item.title;
            }
            if (item.name) {
                b.dataset.item = item.name;
            }
            b._run = item.run;
            menu.appendChild(b);
        });
        returnTo = back || null;
        onClose = closed || null;
        menu.hidden = false;
        place(at);
        move("first");
    }

    /** True when a press on el just closed the menu (so el's click should not reopen it). */
    function justClosedFrom(el) {
        return closedFrom.el === el && Date.now() - closedFrom.at < 1000;
    }

    EDeck.menu = {open: open, close: close, isOpen: isOpen, justClosedFrom: justClosedFrom, element: function () {
        return menu;
    }};
})();
