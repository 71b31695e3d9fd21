/**
 * Embedding Deck — preview replacement in the editor: from the selected result image of
 * the target tab (WebUI only), by upload, drop or paste, and delete. Every change shows at
 * once on the card and in the editor: the thumbnail URL carries the file's new version.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var ACCEPT = ["image/png", "image/jpeg", "image/webp"];

    function modal() {
        return EDeck.modal.element();
    }

    /** The preview at its own size when small (never blown up into blur), and its size. */
    function show(row) {
        var img = modal().querySelector(".edeck-modal-img");
        var size = modal().querySelector(".edeck-img-size");
        var broken = !!(row && row.error);
        size.hidden = true;
        img.onload = function () {
            // narrower than the 384 px thumbnail: the picture's own size, worth saying
            size.textContent = EDeck.t("{w} × {h} px", {w: img.naturalWidth, h: img.naturalHeight});
            size.hidden = img.naturalWidth >= 384;
        };
        if (row && row.preview) {
            img.src = EDeck.api.thumbUrl(row, 384);
            img.hidden = false;
        } else {
            img.removeAttribute("src");
            img.hidden = true;
        }
        modal().querySelector(".edeck-no-preview").hidden = !img.hidden || broken;
        modal().querySelector("[data-action=delete-preview]").disabled = !(row && row.preview &&
            row.preview.toLowerCase().indexOf(".preview.") !== -1);
    }

    function apply(promise) {
        EDeck.modal.message(EDeck.t("Working…"), "info");
        return promise.then(function (res) {
            var current = EDeck.modal.current();
            if (res.row) {
                EDeck.deck.updateEntry(res.row);
                if (current) {
                    current.row = res.row;
                }
                show(res.row);
            }
            EDeck.modal.message(res.notice ? EDeck.t(res.notice) : "", "info");
        }).catch(function (err) {
            EDeck.modal.message(EDeck.t(err.message));
        });
    }

    function upload(blob) {
        var current = EDeck.modal.current();
        if (!current) {
            return Promise.resolve();
        }
        if (blob.type && ACCEPT.indexOf(blob.type) === -1) {
            EDeck.modal.message(EDeck.t("Use a PNG, JPEG or WebP image."));
            return Promise.resolve();
        }
        return apply(EDeck.api.uploadPreview(current.entry.path, blob));
    }

    function remove() {
        var current = EDeck.modal.current();
        if (current && window.confirm(EDeck.t("Delete the preview {file}? This cannot be undone.", {file: current.row.preview}))) {
            apply(EDeck.api.deletePreview(current.entry.path));
        }
    }

    /** The src of the selected (else the first) result image of the target tab's gallery. */
    function galleryImage() {
        var tab = EDeck.deck ? EDeck.deck.state.target : "txt2img";
        var thumbs = EDeck.host.$$("#" + tab + "_gallery .thumbnail-item img");
        var index = -1;
        if (typeof window.selected_gallery_index_id === "function") {
            // selected_gallery_index() only sees the visible tab; the _id form works from ours
            index = window.selected_gallery_index_id(tab + "_gallery_container");
        } else {
            index = thumbs.findIndex(function (img) {
                return img.closest(".thumbnail-item").classList.contains("selected");
            });
        }
        if (thumbs.length) {
            return (thumbs[Math.max(index, 0)] || thumbs[0]).src;
        }
        var single = EDeck.host.$("#" + tab + "_gallery img");
        return single ? single.src : null;
    }

    function galleryAvailable() {
        return !!galleryImage();
    }

    function fromGallery() {
        var src = galleryImage();
        if (!src) {
            EDeck.modal.message(EDeck.t("Generate an image first; the selected result becomes the preview."));
            return;
        }
        var current = EDeck.modal.current();
        if (current && current.row.preview &&
            !window.confirm(EDeck.t("Replace the preview {file} with the selected result?", {file: current.row.preview}))) {
            return;
        }
        fetch(src, {credentials: "same-origin"}).then(function (res) {
            if (!res.ok) {
                throw new Error(EDeck.t("The result image could not be read ({status}).", {status: res.status}));
            }
            return res.blob();
        }).then(upload).catch(function (err) {
            EDeck.modal.message(err.message);
        });
    }

    function bindDrop(zone, root) {
        ["dragenter", "dragover"].forEach(function (type) {
            zone.addEventListener(type, function (ev) {
                ev.preventDefault();
                zone.classList.add("edeck-dragging");
            });
        });
        zone.addEventListener("dragleave", function () {
            zone.classList.remove("edeck-dragging");
        });
        zone.addEventListener("drop", function (ev) {
            ev.preventDefault();
            zone.classList.remove("edeck-dragging");
            var file = ev.dataTransfer && ev.dataTransfer.files[0];
            if (file) {
                upload(file);
            }
        });
        root.addEventListener("paste", function (ev) {
            var items = (ev.clipboardData && ev.clipboardData.items) || [];
            for (var i = 0; i < items.length; i++) {
                if (items[i].kind === "file" && items[i].type.indexOf("image/") === 0) {
                    ev.preventDefault();
                    upload(items[i].getAsFile());
                    return;
                }
            }
        });
    }

    EDeck.preview = {
        show: show,
        upload: upload,
        remove: remove,
        fromGallery: fromGallery,
        galleryAvailable: galleryAvailable,
        bindDrop: bindDrop,
    };
})();
