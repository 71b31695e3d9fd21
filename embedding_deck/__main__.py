"""Command line: ``python -m embedding_deck scan DIR [--json] [--query Q] | serve | demo``.

The scan output is the public JSON contract documented in README.md. Exit status is 0
even when some files are broken (their entries carry ``error``); 2 when DIR is unusable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

from . import query_syntax
from .index import Library, cache_file_for, default_cache_dir
from .query import ordered, search_row


def _cache_path(root: str) -> str:
    return cache_file_for(default_cache_dir(), root)


def _scan(args: argparse.Namespace) -> int:
    if not os.path.isdir(args.dir):
        print(f"error: {args.dir} is not a folder that can be read", file=sys.stderr)
        return 2
    cache = None if args.no_cache else _cache_path(args.dir)
    library = Library(args.dir, cache, write_later=True)
    try:
        entries = ordered(library.scan(), "path")
    except OSError as err:
        print(f"error: cannot list {args.dir}: {err.strerror}", file=sys.stderr)
        return 2
    if args.query:
        parsed = query_syntax.parse(args.query)
        for problem in parsed.problems:  # a malformed query still runs: say what was read
            print(f"query: {problem}", file=sys.stderr)
        if parsed.syntax or parsed.problems:
            print(f"query: {query_syntax.explain(parsed) or 'everything'}", file=sys.stderr)
        entries = [e for e in entries if query_syntax.test(parsed, search_row(e))]
    if args.json:
        # one object per line: readable, greppable, and encoded by json's C encoder
        encode = _line_encoder()
        lines = map(encode, (e.to_json() for e in entries))
        sys.stdout.write("[\n" + ",\n".join(lines) + "\n]\n")
    else:
        _print_table(entries)
    sys.stdout.flush()
    _write_cache_after_exit(library)
    return 0


def _line_encoder() -> Callable[[object], str]:
    """``json.dumps(obj, ensure_ascii=False)`` for one line, made once: JSONEncoder.encode
    builds a new C encoder per call, a quarter of the cost for a small object."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without json's C accelerator
        return json.JSONEncoder(ensure_ascii=False).encode

    def refuse(obj: object) -> object:
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    # the arguments JSONEncoder(ensure_ascii=False) passes: no indent, default separators
    c_encode = make(None, refuse, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda obj: "".join(c_encode(obj, 0))


def _write_cache_after_exit(library: Library) -> None:
    """The output is complete: a detached child writes the cache file, so the command
    returns without waiting for it (where there is no fork, this process writes it)."""
    if not library.cache_pending:
        return
    if not hasattr(os, "fork"):
        library.write_pending_cache()
        return
    sys.stderr.flush()
    if os.fork() != 0:
        return
    try:  # the child: let go of the caller's pipes, so `scan | jq` ends with the parent
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        library.write_pending_cache()
    finally:
        os._exit(0)


def _print_table(entries: list) -> None:
    rows = [("NAME", "ARCH", "VEC", "FORMAT", "PATH", "NOTE")]
    for e in entries:
        note = e.error or ("; ".join(e.warnings[:1]) if e.warnings else "")
        if e.collides_with and not e.error:
            note = f"same name as {', '.join(e.collides_with)}" + (f"; {note}" if note else "")
        rows.append((e.name, e.arch, str(e.vectors or "-"), e.format, e.path, note))
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(5)]
    for r in rows:
        cells = [r[i][: widths[i]].ljust(widths[i]) for i in range(5)]
        print("  ".join(cells), r[5][:100])
    broken = sum(1 for e in entries if e.error)
    print(f"\n{len(entries)} embeddings, {broken} unreadable.")


def _serve(args: argparse.Namespace) -> int:
    return _serve_folder(args.embeddings_dir, args)


def _serve_folder(folder: str, args: argparse.Namespace) -> int:
    # The app layer (gradio) is imported only here, so ``import embedding_deck`` stays pure.
    from embedding_deck_app.standalone import serve

    serve(
        folder,
        args.host,
        args.port,
        auth=_auth(args.auth),
        lang=args.lang,
        allowed_hosts=args.allowed_host,
        civitai_url=args.civitai_url,
        civitai_key_file=args.civitai_key_file,
        outputs_dirs=args.outputs_dir,
    )
    return 0


def _auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise SystemExit("--auth needs user:password")
    return user, password


def _demo(args: argparse.Namespace) -> int:
    from embedding_deck_app import demo

    if demo.port_in_use(args.host, args.port):
        busy = f"port {args.port} is in use (a demo already running?)"
        print(f"error: {busy}; try --port {args.port + 1}", file=sys.stderr)
        return 2
    folder = demo.create(args.dir or demo.folder_for_port(default_cache_dir(), args.port))
    print(f"Demo embeddings: a fresh copy for port {args.port} in {folder}", flush=True)
    return _serve_folder(folder, args)


def _add_server_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7870, help="port (default 7870)")
    parser.add_argument("--auth", help="require a login, as user:password (like --gradio-auth)")
    parser.add_argument("--lang", help="interface language, e.g. ja (default English)")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the server also answers to (reverse proxy, LAN name); repeatable",
    )
    parser.add_argument(
        "--civitai-url", help="Civitai API base URL for Find on Civitai (a mirror or a test server)"
    )
    parser.add_argument("--civitai-key-file", help="a file whose first line is a Civitai API key")
    parser.add_argument(
        "--outputs-dir",
        action="append",
        default=[],
        help="a folder of generated images whose infotexts count embedding uses (repeatable)",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m embedding_deck``."""
    parser = argparse.ArgumentParser(prog="python -m embedding_deck")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="list the embeddings in a folder")
    scan.add_argument("dir")
    scan.add_argument("--json", action="store_true", help="print the entries as a JSON array")
    scan.add_argument("--query", help='only entries matching a search-box query, e.g. "arch:sdxl -name:old"')
    scan.add_argument("--no-cache", action="store_true", help="ignore and do not write the cache")
    scan.set_defaults(func=_scan)
    serve = sub.add_parser("serve", help="run the standalone tab on an embeddings folder")
    serve.add_argument("--embeddings-dir", required=True)
    _add_server_flags(serve)
    serve.set_defaults(func=_serve)
    demo = sub.add_parser("demo", help="create a demo embeddings folder and serve it")
    demo.add_argument("--dir", help="where to copy the demo library (replaced; default: one folder per port)")
    _add_server_flags(demo)
    demo.set_defaults(func=_demo)
    args = parser.parse_args(argv)
    return args.func(args)


def _run() -> None:
    status = main()
    if sys.argv[1:2] == ["scan"]:
        # All output is written: skip the interpreter's teardown, which would free the
        # scan's objects one by one (some 40 ms at 10,000 files).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    _run()
