"""The tile plan of a comparison: which prompts, at which weights, with one seed.

Pure: takes the base settings (from the last image's infotext or the tab's fields) and the
chosen embeddings, refuses what cannot be compared with a sentence, and returns the tiles
in order: a "none" tile (every chosen embedding removed from both prompts), then each
embedding at each weight, inserted into its target prompt exactly as a card click would
(``prompt_edit``). Generating the tiles is the host's business, not this module's.

Also parses an A1111 infotext ("parameters" text) into base settings.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import DeckError
from .prompt_edit import DEFAULT_SEPARATOR, format_weight, insert, remove_all, round_weight, token_for

MAX_EMBEDDINGS = 8
MAX_WEIGHTS = 6
NO_CHECKPOINT = (
    "The WebUI has not loaded a checkpoint yet (it loads one at start; Forge at the first generation). "
    "Try again once it has."
)
MIN_WEIGHT, MAX_WEIGHT = -10.0, 10.0
MIN_SIDE, MAX_SIDE = 64, 2048
MAX_PIXELS = 2048 * 2048
MAX_STEPS = 150
MIN_CFG, MAX_CFG = 1.0, 30.0
MAX_SEED = 2**32 - 1
MAX_PROMPT_CHARS = 20_000
MAX_NAME_CHARS = 200
FAMILIES = ("SD1", "SD2", "SDXL")


class PlanError(DeckError):
    """A comparison that cannot be planned; the sentence says why."""


class Incompatible(DeckError):
    """An embedding the loaded checkpoint cannot use."""

    status_hint = 409


@dataclass
class BaseSettings:
    """What every tile shares; ``seed`` is fixed (never -1) once a plan is built."""

    prompt: str = ""
    negative_prompt: str = ""
    seed: int = -1
    sampler: str = ""
    scheduler: str = ""
    steps: int = 20
    cfg_scale: float = 7.0
    width: int = 512
    height: int = 512
    checkpoint: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    """A chosen embedding as the grid knows it."""

    name: str
    path: str
    target: str  # "negative" or "positive"
    vectors: int | None
    arch: str  # SD1 / SD2 / SDXL / unknown
    error: str | None = None


@dataclass
class Tile:
    """One image to generate: its column label and the exact prompts."""

    index: int
    label: str
    prompt: str
    negative_prompt: str
    name: str | None = None  # None for the "none" tile
    path: str | None = None
    weight: float | None = None
    target: str | None = None
    arch: str | None = None
    vectors: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Plan:
    """Base settings with a fixed seed, and the tiles in grid order."""

    base: BaseSettings
    tiles: list[Tile] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "weights": self.weights,
            "tiles": [t.to_json() for t in self.tiles],
            "notes": self.notes,
        }


# ---- validation -------------------------------------------------------------------------
def _number(value: Any, what: str, kind: type = float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PlanError(f"{what} must be a number.")
    try:
        number = float(value)
    except ValueError:
        raise PlanError(f"{what} must be a number.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise PlanError(f"{what} must be a number.")
    if kind is int:
        if number != int(number):
            raise PlanError(f"{what} must be a whole number.")
        return int(number)
    return number


def _text(value: Any, what: str, limit: int = MAX_PROMPT_CHARS) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PlanError(f"{what} must be text.")
    if len(value) > limit:
        raise PlanError(f"{what} is longer than {limit:,} characters.")
    return value


def check_base(raw: Any) -> BaseSettings:
    """Base settings from untrusted JSON; PlanError (a sentence) for anything out of range."""
    if not isinstance(raw, dict):
        raise PlanError("The comparison settings must be an object.")
    base = BaseSettings()
    base.prompt = _text(raw.get("prompt"), "The prompt")
    base.negative_prompt = _text(raw.get("negative_prompt"), "The negative prompt")
    base.sampler = _text(raw.get("sampler"), "The sampler", MAX_NAME_CHARS)
    base.scheduler = _text(raw.get("scheduler"), "The schedule type", MAX_NAME_CHARS)
    base.checkpoint = _text(raw.get("checkpoint"), "The checkpoint", 1000)
    if raw.get("seed") not in (None, ""):
        base.seed = _number(raw["seed"], "The seed", int)
        if not -1 <= base.seed <= MAX_SEED:
            raise PlanError(f"The seed must lie between 0 and {MAX_SEED} (or -1 for a random one).")
    if raw.get("steps") not in (None, ""):
        base.steps = _number(raw["steps"], "Steps", int)
    if not 1 <= base.steps <= MAX_STEPS:
        raise PlanError(f"Steps must lie between 1 and {MAX_STEPS}.")
    if raw.get("cfg_scale") not in (None, ""):
        base.cfg_scale = _number(raw["cfg_scale"], "The CFG scale")
    if not MIN_CFG <= base.cfg_scale <= MAX_CFG:
        raise PlanError(f"The CFG scale must lie between {MIN_CFG:g} and {MAX_CFG:g}.")
    for key in ("width", "height"):
        if raw.get(key) not in (None, ""):
            setattr(base, key, _number(raw[key], f"The {key}", int))
        side = getattr(base, key)
        if not MIN_SIDE <= side <= MAX_SIDE or side % 8:
            raise PlanError(f"The {key} must be a multiple of 8 between {MIN_SIDE} and {MAX_SIDE} pixels.")
    if base.width * base.height > MAX_PIXELS:
        raise PlanError(f"The image is larger than {MAX_PIXELS:,} pixels.")
    return base


def check_weights(raw: Any) -> list[float]:
    """The weight list (default [1.0]); distinct, in the order given, rounded to 0.01."""
    if raw is None or raw == []:
        return [1.0]
    if not isinstance(raw, list):
        raise PlanError("The weights must be a list of numbers.")
    out: list[float] = []
    for value in raw:
        weight = round_weight(_number(value, "A weight"))
        if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
            raise PlanError(f"Weights must lie between {MIN_WEIGHT:g} and {MAX_WEIGHT:g}.")
        if weight not in out:
            out.append(weight)
    if len(out) > MAX_WEIGHTS:
        raise PlanError(f"At most {MAX_WEIGHTS} weights can be compared at once.")
    return out


def incompatibility(candidate: Candidate, family: str | None) -> str | None:
    """Why the loaded model cannot use this embedding, or None."""
    if candidate.error:
        return f"{candidate.name} cannot be read: {candidate.error}"
    if family is None:
        return NO_CHECKPOINT
    if candidate.arch not in FAMILIES:
        return f"{candidate.name} has an unknown SD version; the WebUI loads it for no checkpoint."
    if candidate.arch != family:
        return f"{candidate.name} is an {candidate.arch} embedding; the loaded checkpoint is {family}."
    return None


def build_plan(
    base: BaseSettings,
    candidates: list[Candidate],
    weights: list[float],
    family: str | None,
    separator: str = DEFAULT_SEPARATOR,
    rng: random.Random | None = None,
) -> Plan:
    """The tiles of a comparison; Incompatible / PlanError (sentences) when it cannot run."""
    if not candidates:
        raise PlanError("Choose at least one embedding to compare.")
    if len(candidates) > MAX_EMBEDDINGS:
        raise PlanError(f"At most {MAX_EMBEDDINGS} embeddings can be compared at once.")
    names = [c.name.lower() for c in candidates]
    if len(set(names)) != len(names):
        raise PlanError("The same embedding name was chosen twice.")
    if family is None:
        raise Incompatible(NO_CHECKPOINT)
    refusals = [why for why in (incompatibility(c, family) for c in candidates) if why]
    if refusals:
        raise Incompatible(" ".join(refusals))
    if separator is None or not isinstance(separator, str) or len(separator) > 10:
        separator = DEFAULT_SEPARATOR
    seed = base.seed
    if seed == -1:
        seed = (rng or random.SystemRandom()).randrange(MAX_SEED)
    fixed = BaseSettings(**{**base.to_json(), "seed": seed})
    plan = Plan(fixed, weights=list(weights))
    # "none": every chosen embedding taken out of both prompts, as a click would take it out.
    prompt, negative = fixed.prompt, fixed.negative_prompt
    for c in candidates:
        prompt, negative = remove_all(prompt, c.name).text, remove_all(negative, c.name).text
    if (prompt, negative) != (fixed.prompt, fixed.negative_prompt):
        plan.notes.append('The chosen embeddings were taken out of the prompts for the "none" column.')
    plan.tiles.append(Tile(0, "none", prompt, negative))
    for c in candidates:
        for weight in weights:
            token = token_for(c.name, weight)
            tile_prompt, tile_negative = prompt, negative
            if c.target == "positive":
                tile_prompt = insert(prompt, None, token, separator).text
            else:
                tile_negative = insert(negative, None, token, separator).text
            plan.tiles.append(
                Tile(
                    len(plan.tiles),
                    f"{c.name} {format_weight(weight)}",
                    tile_prompt,
                    tile_negative,
                    name=c.name,
                    path=c.path,
                    weight=weight,
                    target="positive" if c.target == "positive" else "negative",
                    arch=c.arch,
                    vectors=c.vectors,
                )
            )
    if fixed.checkpoint and family:
        plan.notes.append(
            "Images are generated with the loaded checkpoint; the settings named " f"{fixed.checkpoint}."
        )
    return plan


# ---- infotext ---------------------------------------------------------------------------
# One "Key: value" pair of the last infotext line; a value is a JSON string when it holds
# a comma, a colon or a newline (the WebUI quotes those).
_PAIR = re.compile(r'\s*([\w][\w \-/+()\.]*?):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')
_NEGATIVE = "Negative prompt:"
_SIZE = re.compile(r"^\s*(\d+)\s*x\s*(\d+)\s*$")


def _pairs(line: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(line):
        m = _PAIR.match(line, pos)
        if not m or m.end() == pos:
            return None
        key, value = m.group(1).strip(), m.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        out[key] = value
        pos = m.end()
    return out


def parse_infotext(text: str) -> dict[str, Any]:
    """The settings in an A1111 infotext: prompt, negative, and the last line's pairs.

    Returns a dict in ``BaseSettings`` keys (only those found) plus ``"params"``, every
    pair of the last line as text.
    """
    if not isinstance(text, str):
        return {}
    lines = text.strip().replace("\r\n", "\n").split("\n")
    params: dict[str, str] = {}
    if lines:
        found = _pairs(lines[-1])
        if found is not None and len(found) >= 3:
            params = found
            lines = lines[:-1]
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    into_negative = False
    for line in lines:
        if not into_negative and line.startswith(_NEGATIVE):
            into_negative = True
            line = line[len(_NEGATIVE) :].lstrip(" ")
        (negative_lines if into_negative else prompt_lines).append(line)
    out: dict[str, Any] = {"prompt": "\n".join(prompt_lines), "negative_prompt": "\n".join(negative_lines)}
    conversions = (
        ("Seed", "seed", int),
        ("Steps", "steps", int),
        ("CFG scale", "cfg_scale", float),
        ("Sampler", "sampler", str),
        ("Schedule type", "scheduler", str),
        ("Model", "checkpoint", str),
    )
    for key, name, kind in conversions:
        if key in params:
            try:
                out[name] = kind(params[key])
            except ValueError:
                pass
    size = _SIZE.match(params.get("Size", ""))
    if size:
        out["width"], out["height"] = int(size.group(1)), int(size.group(2))
    out["params"] = params
    return out


def base_from_infotext(text: str) -> BaseSettings:
    """Base settings from an infotext (defaults where it says nothing)."""
    parsed = parse_infotext(text)
    parsed.pop("params", None)
    return check_base(parsed)
