/**
 * Embedding Deck — fetch wrappers for /edeck/v1/*: JSON in, a sentence out on failure.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    /** fetch, with a sentence instead of the browser's "Failed to fetch" when no answer came. */
    function send(url, init) {
        return fetch(url, init).catch(function () {
            throw new Error(EDeck.t("The server does not answer: is the WebUI still running? Reload the page once it is."));
        });
    }

    function request(method, path, body) {
        var init = {method: method, credentials: "same-origin", headers: {"X-Edeck": "1"}};
        if (body !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
        }
        return send(EDeck.host.base + path, init).then(function (res) {
            return res.text().then(function (text) {
                var data = null;
                try {
                    data = text ? JSON.parse(text) : null;
                } catch (err) {
                    data = null;
                }
                if (!res.ok) {
                    var message = (data && (data.error || data.detail)) ||
                        EDeck.t("The server answered {status}.", {status: res.status});
                    throw new Error(message);
                }
                return data;
            });
        });
    }

    // The first /state and /grid are asked for as this file loads: the WebUI then still
    // builds its page (seconds with a big library), and the deck finds them answered when
    // its root appears. Not when the page has no deck (a WebUI's hidden tab).
    var early = {};

    function hasDeck() {
        var config = window.gradio_config;
        if (!config || !Array.isArray(config.components)) {
            return true; // cannot tell: ask (the answer is used if the deck appears)
        }
        return config.components.some(function (c) {
            var value = c && c.props && c.props.value;
            return typeof value === "string" && value.indexOf("embedding_deck_root") !== -1;
        });
    }

    function prefetch() {
        ["state", "grid"].forEach(function (name) {
            early[name] = request("GET", "/" + name);
            early[name].catch(function () {}); // a failure is met again, and said, when used
        });
    }

    /** The early answer once (asked again if it failed), then fresh requests. */
    function first(name) {
        var answer = early[name];
        early[name] = null;
        var again = function () {
            return request("GET", "/" + name);
        };
        return answer ? answer.catch(again) : again();
    }

    if (typeof window.fetch === "function" && hasDeck()) {
        prefetch();
    }

    EDeck.api = {
        state: function () {
            return first("state");
        },
        grid: function () {
            return first("grid");
        },
        refresh: function () {
            return request("POST", "/refresh", {});
        },
        reloadStatus: function () {
            return request("GET", "/reload");
        },
        embedding: function (path) {
            return request("GET", "/embedding?path=" + encodeURIComponent(path));
        },
        meta: function (path) {
            return request("GET", "/meta?path=" + encodeURIComponent(path));
        },
        saveMeta: function (path, stamp, changes) {
            return request("POST", "/meta", {path: path, stamp: stamp, changes: changes});
        },
        hash: function (path) {
            return request("POST", "/hash", {path: path});
        },
        deletePreview: function (path) {
            return request("POST", "/preview/delete", {path: path});
        },
        uploadPreview: function (path, blob) {
            return send(EDeck.host.base + "/preview?path=" + encodeURIComponent(path), {
                method: "POST",
                credentials: "same-origin",
                headers: {"X-Edeck": "1", "Content-Type": blob.type || "application/octet-stream"},
                body: blob,
            }).then(function (res) {
                return res.json().catch(function () {
                    return {};
                }).then(function (data) {
                    if (!res.ok) {
                        throw new Error(data.error || data.detail ||
                            EDeck.t("The server answered {status}.", {status: res.status}));
                    }
                    return data;
                });
            });
        },
        thumbUrl: function (e, width) {
            return EDeck.host.base + "/thumb?path=" + encodeURIComponent(e.path) + "&w=" + width + "&v=" + (e.preview_v || 0);
        },
        request: request,
    };
})();
