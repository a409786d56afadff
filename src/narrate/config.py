"""voices.yaml: the schema, forgiving loading and strict validation.

``load_config(path)`` reads the file and returns a frozen ``VoiceConfig``; every
problem found is raised together in one ``ConfigError``, one per line, each as
``voices.yaml:12: <what is wrong>; <how to fix it>``. What only the speech engine
can judge (voice ids, phoneme markup) is judged where the file is loaded with an
engine at hand (``narrate.cast.voices``): this module imports only records and errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

import yaml

from narrate.errors import ConfigError
from narrate.records import Gender
from narrate.yamldata import compose_data

Age = Literal["child", "adult"]
ThoughtsMode = Literal["character", "narrator"]
# A lexicon replacement -> what is wrong with it and how to fix it, or None.
ReplacementCheck = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class NarratorConfig:
    """The narrator's voice; None means "choose for me" / the default."""

    voice: str | None = None
    rate: int | None = None
    pitch: int | None = None
    volume: float | None = None


@dataclass(frozen=True, slots=True)
class CharacterConfig:
    """One entry under ``characters:``; None fields are filled in by casting."""

    name: str
    aliases: tuple[str, ...] = ()
    gender: Gender | None = None
    age: Age | None = None
    voice: str | None = None
    rate: int | None = None
    pitch: int | None = None
    volume: float | None = None


@dataclass(frozen=True, slots=True)
class Pauses:
    """Silence inserted between segments, in milliseconds."""

    sentence: int = 250
    paragraph: int = 600
    speaker_change: int = 350
    scene_break: int = 1200
    chapter: int = 2000


@dataclass(frozen=True, slots=True)
class BookMeta:
    """Book metadata used where the book itself does not carry it."""

    title: str | None = None
    author: str | None = None
    narrator: str | None = None  # the narrator credit written into the tags
    description: str | None = None  # the blurb, where the book has none
    year: str | None = None
    series: str | None = None
    series_index: str | None = None
    cover: Path | None = None  # resolved relative to the voices.yaml folder


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    narrator: NarratorConfig = NarratorConfig()
    characters: dict[str, CharacterConfig] = field(default_factory=dict, hash=False)
    # Voice ids to draw from for characters the file does not voice, by
    # "male" / "female" / "child" / "unknown"; empty means the built-in order.
    pools: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    thoughts: ThoughtsMode = "character"
    pauses: Pauses = Pauses()
    lexicon: dict[str, str] = field(default_factory=dict, hash=False)
    book: BookMeta = BookMeta()
    source: Path | None = None
    # Dotted key path ("characters.Wren.voice") -> 1-based line in ``source``.
    lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    def character(self, name: str) -> CharacterConfig | None:
        """The entry whose name or an alias equals ``name`` (case-insensitive)."""
        key = name.casefold()
        for entry in self.characters.values():
            if key == entry.name.casefold() or key in (a.casefold() for a in entry.aliases):
                return entry
        return None


def load_config(path: Path | None, check: ReplacementCheck | None = None) -> VoiceConfig:
    """Read and validate a voices.yaml (``None``: the defaults); ConfigError lists every problem.

    ``check`` judges lexicon replacements (the engine's markup) as ``read_config`` does.
    """
    config, problems = read_config(path, check)
    raise_problems(str(path), problems)
    return config


def read_config(
    path: Path | None, check_replacement: ReplacementCheck | None = None
) -> tuple[VoiceConfig, list[str]]:
    """The config and its problems (``FILE:LINE: ...``), so a caller can add its own.

    A file that cannot be read as YAML data at all raises ConfigError at once.
    """
    if path is None:
        return VoiceConfig(), []
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_unreadable(where, exc)) from None
    root = compose_data(text, where)
    parser = _Parser(where, Path(path).parent, check_replacement)
    values = parser.parse(root)
    return _build(values, Path(path), parser.lines), parser.problems


def _unreadable(where: str, exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{where}: file not found; check the path given to --voices"
    if isinstance(exc, IsADirectoryError):
        return f"{where} is a folder; give --voices the path of a voices.yaml file"
    if isinstance(exc, UnicodeDecodeError):
        return f"{where}: not UTF-8 text (byte {exc.start}); save it as UTF-8 text"
    return f"{where}: cannot read it ({exc.strerror or exc}); check its permissions"


def raise_problems(where: str, problems: list[str]) -> None:
    """One ConfigError for all ``problems``, in file order ("FILE:LINE: ...")."""
    if problems:
        at = [p[len(where) + 1 :].partition(":")[0] for p in problems]
        ordered = sorted(zip(at, problems), key=lambda a: int(a[0]) if a[0].isdigit() else 0)
        raise ConfigError("\n".join(p for _, p in ordered))


def _build(values: dict, source: Path, lines: dict[str, int]) -> VoiceConfig:
    return VoiceConfig(
        narrator=NarratorConfig(**values.get("narrator", {})),
        characters={n: CharacterConfig(n, **f) for n, f in values.get("characters", {}).items()},
        pools={k: tuple(v) for k, v in values.get("pools", {}).items()},
        thoughts=values.get("thoughts", "character"),
        pauses=Pauses(**values.get("pauses", {})),
        lexicon=dict(values.get("lexicon", {})),
        book=BookMeta(**values.get("book", {})),
        source=source,
        lines=lines,
    )


# --- parsing: walk the composed YAML nodes so every problem knows its line ---

_VOICE_KEYS = ("voice", "rate", "pitch", "volume")
_SECTIONS: dict[str, tuple[str, ...]] = {
    "": ("narrator", "characters", "pools", "thoughts", "pauses", "lexicon", "book"),
    "narrator": _VOICE_KEYS,
    "character": ("aliases", "gender", "age", *_VOICE_KEYS),
    "pools": ("male", "female", "child", "unknown"),
    "pauses": ("sentence", "paragraph", "speaker_change", "scene_break", "chapter"),
    "book": tuple(f.name for f in fields(BookMeta)),  # every BookMeta field, by name
}
_RANGES: dict[str, tuple[float, float, str]] = {
    "rate": (80, 450, "words per minute, e.g. 175"),
    "pitch": (0, 100, "50 is the voice's normal pitch"),
    "volume": (0.0, 1.0, "1 is full volume, 0.8 is 80%"),
    "pause": (0, 60000, "milliseconds"),
}
_GENDERS: dict[str, Gender] = {
    **dict.fromkeys(("male", "m", "man", "boy"), "male"),
    **dict.fromkeys(("female", "f", "woman", "girl"), "female"),
    **dict.fromkeys(("unknown", "neutral", "any"), "unknown"),
}
_AGES: dict[str, Age] = {"child": "child", "kid": "child", "adult": "adult"}
_BAD = object()  # marks a value already reported as a problem


def _put(out: dict, key: str, value: object) -> None:
    if value is not _BAD:  # an invalid value is left out, so the defaults apply
        out[key] = value


def _norm_key(key: object) -> str:
    # Forgiving: "Speaker-Change" and "speaker change" both mean speaker_change.
    return str(key).strip().lower().replace("-", "_").replace(" ", "_")


def _empty(node: yaml.Node | None) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"))


class _Parser:
    """Turns the node tree into plain values, collecting every problem."""

    def __init__(self, where: str, folder: Path, check: ReplacementCheck | None) -> None:
        self.where = where
        self.folder = folder
        self.check_replacement = check
        self.problems: list[str] = []
        self._reported: set[int] = set()
        self.lines: dict[str, int] = {}
        self._constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, message: str) -> object:
        if id(node) not in self._reported:  # one problem per value: the first says most
            self._reported.add(id(node))
            self.problems.append(f"{self.where}:{node.start_mark.line + 1}: {message}")
        return _BAD

    def value(self, node: yaml.Node) -> object:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. "!!int abc"
            why = getattr(exc, "problem", None) or exc
            self.problem(
                node, f"cannot read this value ({why}); write it as plain text or a number"
            )
            return None

    def entries(
        self, node: yaml.Node | None, path: str, allowed: tuple[str, ...] | None
    ) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """(key, key node, value node) of a mapping; unknown and repeated keys are reported."""
        if node is None or _empty(node):
            return []
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{path or 'the file'} must be a mapping of 'key: value' lines")
            return []
        out: list[tuple[str, yaml.Node, yaml.Node]] = []
        seen: dict[str, int] = {}
        under = f" under {path}" if path else ""
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                fix = "write the values out in full"
                self.problem(knode, f"'<<' merge keys are not supported{under}; {fix}")
                continue
            raw = str(self.value(knode)).strip()
            key = _norm_key(raw) if allowed is not None else raw
            if allowed is not None and key not in allowed:
                near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                fix = f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(allowed)}"
                self.problem(knode, f"unknown key '{raw}'{under}; {fix}")
                continue
            first = seen.get(key.casefold())
            if first is not None:
                fix = "keep one and delete the other"
                self.problem(knode, f"'{raw}'{under} is given twice (first on line {first}); {fix}")
                continue
            seen[key.casefold()] = knode.start_mark.line + 1
            self.lines[f"{path}.{key}" if path else key] = vnode.start_mark.line + 1
            out.append((key, knode, vnode))
        return out

    def text(self, node: yaml.Node, path: str) -> object:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if value is None or isinstance(value, bool) or str(value).strip() == "":
            return self.problem(node, f"{path} must be a single word or text; write it after ':'")
        return str(value).strip()

    def number(self, node: yaml.Node, path: str, kind: str) -> object:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, str):
            raw = value.strip()
            try:  # forgiving: "170", "0.8" and "80%" are numbers too
                value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
            except ValueError:
                pass
        lo, hi, hint = _RANGES[kind]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.problem(node, f"{path} must be a number from {lo:g} to {hi:g} ({hint})")
        if not lo <= value <= hi:
            return self.problem(
                node, f"{path} is {value:g}, out of range; use {lo:g} to {hi:g} ({hint})"
            )
        return float(value) if kind == "volume" else round(value)

    def choice(self, node: yaml.Node, path: str, table: Mapping[str, str]) -> object:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        key = str(value).strip().lower()
        if key in table:
            return table[key]
        names = sorted(set(table.values()))
        near = difflib.get_close_matches(key, list(table), n=1, cutoff=0.6)
        fix = f"did you mean '{table[near[0]]}'?" if near else f"use one of: {', '.join(names)}"
        return self.problem(node, f"{path} '{value}' is not valid; {fix}")

    def voice(self, node: yaml.Node, path: str, out: dict, key: str) -> None:
        """One of voice / rate / pitch / volume into ``out`` (skipped when invalid)."""
        value = self.text(node, path) if key == "voice" else self.number(node, path, key)
        if isinstance(value, str) and " " in value:
            fix = "voice ids look like en-us+f3"
            value = self.problem(node, f"{path} '{value}' has a space; {fix}")
        _put(out, key, value)

    def parse(self, root: yaml.Node | None) -> dict:
        values: dict = {}
        for key, _, node in self.entries(root, "", _SECTIONS[""]):
            if key == "thoughts":
                _put(values, key, self.choice(node, key, {m: m for m in ("character", "narrator")}))
            elif key == "lexicon":
                values["lexicon"] = self.lexicon(node)
            elif key == "characters":
                values["characters"] = self.characters(node)
            else:
                values[key] = getattr(self, f"section_{key}")(node)
        return values

    def section_narrator(self, node: yaml.Node) -> dict:
        out: dict = {}
        if isinstance(node, yaml.ScalarNode) and not _empty(node):  # `narrator: en-gb`
            self.lines["narrator.voice"] = node.start_mark.line + 1
            self.voice(node, "narrator.voice", out, "voice")
            return out
        for key, _, vnode in self.entries(node, "narrator", _SECTIONS["narrator"]):
            self.voice(vnode, f"narrator.{key}", out, key)
        return out

    def section_pools(self, node: yaml.Node) -> dict:
        out: dict = {}
        for key, _, vnode in self.entries(node, "pools", _SECTIONS["pools"]):
            items = vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]
            ids = []
            for i, item in enumerate(items):
                self.lines[f"pools.{key}.{i}"] = item.start_mark.line + 1
                ids.append(self.text(item, f"pools.{key}"))
            out[key] = [v for v in ids if isinstance(v, str)]
        return out

    def section_pauses(self, node: yaml.Node) -> dict:
        out: dict = {}
        for key, _, vnode in self.entries(node, "pauses", _SECTIONS["pauses"]):
            _put(out, key, self.number(vnode, f"pauses.{key}", "pause"))
        return out

    def section_book(self, node: yaml.Node) -> dict:
        out: dict = {}
        for key, _, vnode in self.entries(node, "book", _SECTIONS["book"]):
            value = self.text(vnode, f"book.{key}")
            if value is _BAD:
                continue
            if key == "cover":
                cover = self.folder / str(value)
                if not cover.is_file():
                    fix = "give the image path relative to the voices file"
                    self.problem(vnode, f"book.cover '{value}' not found next to this file; {fix}")
                    continue
                value = cover
            out[key] = value
        return out

    def lexicon(self, node: yaml.Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for word, _, vnode in self.entries(node, "lexicon", None):
            spoken = self.text(vnode, f"lexicon.{word}")
            check = self.check_replacement
            wrong = check(str(spoken)) if check and spoken is not _BAD else None
            _put(out, word, self.problem(vnode, f"lexicon.{word} {wrong}") if wrong else spoken)
        return out

    def characters(self, node: yaml.Node) -> dict[str, dict]:
        entries = self.entries(node, "characters", None)
        # Names first, so an alias equal to a later character's name is caught too.
        claims = {name.casefold(): (name, knode) for name, knode, _ in entries}
        out: dict[str, dict] = {}
        for name, _, vnode in entries:
            fields: dict = {}
            path = f"characters.{name}"
            if isinstance(vnode, yaml.ScalarNode) and not _empty(vnode):  # `Wren: en-us+f4`
                self.lines[f"{path}.voice"] = vnode.start_mark.line + 1
                self.voice(vnode, f"{path}.voice", fields, "voice")
            elif isinstance(vnode, yaml.SequenceNode):  # `Maren Holt: [Maren, Mrs. Holt]`
                fields["aliases"] = self.aliases(vnode, name, path, claims)
            else:
                for key, _, fnode in self.entries(vnode, path, _SECTIONS["character"]):
                    if key == "aliases":
                        fields["aliases"] = self.aliases(fnode, name, path, claims)
                    elif key in ("gender", "age"):
                        table = _GENDERS if key == "gender" else _AGES
                        _put(fields, key, self.choice(fnode, f"{path}.{key}", table))
                    else:
                        self.voice(fnode, f"{path}.{key}", fields, key)
            out[name] = fields
        return out

    def aliases(self, node: yaml.Node, name: str, path: str, claims: dict) -> tuple[str, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        kept = []
        for item in [] if _empty(node) else items:
            alias = self.text(item, f"{path}.aliases")
            if alias is _BAD:
                continue
            owner, first = claims.setdefault(str(alias).casefold(), (name, item))
            if owner != name:
                self.problem(
                    item,
                    f"alias '{alias}' of '{name}' is already claimed by '{owner}' "
                    f"(line {first.start_mark.line + 1}); give it to one character only",
                )
            elif str(alias).casefold() != name.casefold():
                kept.append(str(alias))
        return tuple(kept)
