"""YAML files narrate reads (voices.yaml, scripts, front matter): plain data, problems with lines.

Every such file is data a user wrote or was sent, so it is composed with the safe
loader and a tag that would build objects is refused before anything is built.
"""

from __future__ import annotations

import yaml

from narrate.errors import ConfigError


def compose_data(text: str, where: str) -> yaml.Node | None:
    """The node tree of ``text``; ConfigError ("FILE:LINE: ...") for bad syntax or foreign tags."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{where}{line}: YAML syntax error: {getattr(exc, 'problem', None) or exc}; "
            "check the indentation and quoting on this line and the one above"
        ) from None
    foreign = foreign_tags(root, where)
    if foreign:  # the file is data: a tag that would build objects is refused outright
        raise ConfigError("\n".join(foreign))
    return root


def foreign_tags(root: yaml.Node | None, where: str) -> list[str]:
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
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: int(p[len(where) + 1 :].partition(":")[0]))
