/**
 * Embedding Deck — fetch wrappers for /edeck/v1/*: JSON in, a sentence out on failure.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    function request(method, path, body) {
        var init = {method: method, credentials: "same-origin", headers: {"X-Edeck": "1"}};
        if (body !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
        }
        return fetch(EDeck.host.base + path, init).then(function (res) {
            return res.text().then(function (text) {
                var data = null;
                try {
                    data = text ? JSON.parse(text) : null;
                } catch (err) {
                    data = null;
                }
                if (!res.ok) {
                    var message = (data && data.error) || "The server answered " + res.status + ".";
                    throw new Error(message);
                }
                return data;
            });
        });
    }

    EDeck.api = {
        state: function () {
            return request("GET", "/state");
        },
        grid: function () {
            return request("GET", "/grid");
        },
        refresh: function () {
            return request("POST", "/refresh", {});
        },
        embedding: function (path) {
            return request("GET", "/embedding?path=" + encodeURIComponent(path));
        },
        thumbUrl: function (e, width) {
            return EDeck.host.base + "/thumb?path=" + encodeURIComponent(e.path) + "&w=" + width + "&v=" + (e.preview_v || 0);
        },
        request: request,
    };
})();
