"""Error taxonomy of the core: each error carries a sentence for the user and an HTTP status hint.

The app layer maps these to 4xx responses in one place; the core never formats HTTP itself.
"""

from __future__ import annotations


class DeckError(Exception):
    """Base error: ``str(err)`` is a complete sentence a user can read."""

    status_hint = 400


class UnreadableFile(DeckError):
    """A file that is not a readable embedding; the sentence says why."""

    status_hint = 422


class OutsideRoot(DeckError):
    """A user-supplied path that would leave the embeddings folder."""

    status_hint = 403


class NotFound(DeckError):
    """A path inside the folder that does not exist (any more)."""

    status_hint = 404


class StaleWrite(DeckError):
    """The file changed on disk since the user loaded it; nothing was written."""

    status_hint = 409


class BadUpload(DeckError):
    """An uploaded file that is not an acceptable image."""

    status_hint = 415
