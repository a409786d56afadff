"""YAML files narrate reads (voices.yaml, scripts, front matter): plain data, problems with lines.

Every such file is data a user wrote or was sent, so it is composed with the safe
loader and a tag that would build objects is refused before anything is built.
Composing is bounded by the file's size: nesting deeper than ``MAX_DEPTH`` and
aliases (``*name``) that would repeat more than ``MAX_ALIASED`` characters of
values (a "billion laughs" file a few hundred bytes long) are refused while the
file is read, before anything grows.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from narrate.errors import ConfigError

MAX_DEPTH = 100  # levels of nesting; voices.yaml needs four
MAX_ALIASED = 100_000  # characters of values (plus one per value) that aliases may repeat

ErrorKind = type[Exception]


class _Refused(yaml.MarkedYAMLError):
    """A file that is valid YAML but would grow without bound (or nest past the limit)."""


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with an iterative composer that measures what aliases expand to."""

    def compose_node(self, parent: Node | None, index: object) -> Node:
        open_: list[tuple[CollectionNode, str | None, int, list[Node]]] = []
        weights: dict[str, int] = {}  # anchor -> the expanded size of its value
        aliased = 0
        seen = 0  # the expanded size of everything read so far
        while True:
            event = self.get_event()
            mark: Any = event.start_mark  # typed as either loader's mark
            end: Any = event.end_mark
            node: Node
            if isinstance(event, CollectionEndEvent):
                closed, anchor, start, _ = open_.pop()
                closed.end_mark = end
                if anchor is not None:
                    weights[anchor] = seen - start
                node = closed
            elif isinstance(event, AliasEvent):
                if event.anchor not in self.anchors:
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", mark
                    )
                if event.anchor not in weights:
                    raise _Refused(
                        None,
                        None,
                        f"the alias *{event.anchor} refers to a value that holds it (a loop); "
                        "write the value out in full",
                        mark,
                    )
                node = self.anchors[event.anchor]
                aliased += weights[event.anchor]
                seen += weights[event.anchor]
                if aliased > MAX_ALIASED:
                    raise _Refused(
                        None,
                        None,
                        f"its aliases (*name) would repeat more than {MAX_ALIASED:,} characters "
                        "of values (an alias bomb?); write the values out instead of aliasing",
                        mark,
                    )
            else:
                anchor = getattr(event, "anchor", None)
                if anchor is not None and anchor in self.anchors:
                    raise yaml.composer.ComposerError(
                        "found duplicate anchor",
                        self.anchors[anchor].start_mark,
                        f"the anchor &{anchor} is given again",
                        mark,
                    )
                tag = getattr(event, "tag", None)
                if isinstance(event, ScalarEvent):
                    if tag is None or tag == "!":
                        tag = self.resolve(ScalarNode, event.value, event.implicit)
                    node = ScalarNode(tag, event.value, mark, end, style=event.style)
                    seen += len(event.value) + 1
                    if anchor is not None:
                        weights[anchor] = len(event.value) + 1
                else:
                    kind = MappingNode if isinstance(event, MappingStartEvent) else SequenceNode
                    if not isinstance(event, MappingStartEvent | SequenceStartEvent):
                        raise _Refused(None, None, "unexpected YAML event", mark)
                    if tag is None or tag == "!":
                        tag = self.resolve(kind, None, event.implicit)
                    node = kind(tag, [], mark, None, flow_style=event.flow_style)
                    if len(open_) >= MAX_DEPTH:
                        raise _Refused(
                            None,
                            None,
                            f"nested more than {MAX_DEPTH} levels deep; narrate's files need a few "
                            "levels, so check this is the right file",
                            mark,
                        )
                if anchor is not None:
                    self.anchors[anchor] = node
                if isinstance(node, CollectionNode):
                    seen += 1
                    open_.append((node, anchor, seen - 1, []))
                    continue
            if not open_:
                return node
            parent_node, _, _, pending = open_[-1]
            if isinstance(parent_node, SequenceNode):
                parent_node.value.append(node)
            elif pending:
                parent_node.value.append((pending.pop(), node))
            else:
                pending.append(node)


def _line(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f":{mark.line + 1}" if mark else ""


class NotYaml(Exception):
    """The text is not YAML at all (raised only when the caller asks: ``not_yaml=NotYaml``)."""


def compose_data(
    text: str, where: str, *, error: ErrorKind = ConfigError, not_yaml: ErrorKind | None = None
) -> Node | None:
    """The node tree of ``text``; ``error`` ("FILE:LINE: ...") for bad syntax or foreign tags.

    With ``not_yaml`` (front matter may be prose between two rules) a syntax error
    raises that instead; a file that would grow past the bounds is refused all the same.
    """
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
    except _Refused as exc:
        raise error(f"{where}{_line(exc)}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or exc
        fix = "check the indentation and quoting on this line and the one above"
        raise (not_yaml or error)(
            f"{where}{_line(exc)}: YAML syntax error: {problem}; {fix}"
        ) from None
    finally:
        loader.dispose()
    foreign = foreign_tags(root, where)
    if foreign:  # the file is data: a tag that would build objects is refused outright
        raise error("\n".join(foreign))
    return root


def load_data(
    text: str, where: str, *, error: ErrorKind = ConfigError, not_yaml: ErrorKind | None = None
) -> object:
    """``text`` as plain Python data (dicts, lists, strings, numbers), bounded as above."""
    root = compose_data(text, where, error=error, not_yaml=not_yaml)
    return None if root is None else node_value(root, where, error=not_yaml or error)


def node_value(node: Node, where: str, error: ErrorKind = ConfigError) -> object:
    """A composed node as plain Python data; ``error`` ("FILE:LINE: ...") if a value is unreadable.

    The node comes from ``compose_data``, so what it builds is bounded by the file's size.
    """
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:  # "!!int abc", [a]: b
        why = getattr(exc, "problem", None) or exc
        mark = getattr(exc, "problem_mark", None) or node.start_mark
        fix = "write it as plain text or a number"
        raise error(f"{where}:{mark.line + 1}: cannot read this value ({why}); {fix}") from None


def foreign_tags(root: Node | None, where: str) -> list[str]:
    """Problems for nodes tagged with anything but YAML's plain data types (!!python/...)."""
    # YAML's own types; '<<' merge keys are left for the key checks to judge.
    known = {*yaml.constructor.SafeConstructor.yaml_constructors, "tag:yaml.org,2002:merge"}
    problems: list[str] = []
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # anchors and aliases can share (or loop back to) a node
            continue
        seen.add(id(node))
        if node.tag not in known:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(
                f"{where}:{node.start_mark.line + 1}: the tag '{tag}' is not "
                "allowed; the file holds plain values only, so remove the tag"
            )
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: int(p[len(where) + 1 :].partition(":")[0]))
