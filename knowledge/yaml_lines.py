"""Load YAML while remembering the line of every value, so each error can name its line.

PyYAML's composer already knows where each node starts; we build plain Python values from the
node tree ourselves and keep a map from the value's path (``("languages", "uz", "answer")``) to
its 1-based line.
"""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]

# libyaml's loader keeps the same node marks and parses the knowledge base several times faster.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return its value and the line of each path in it."""
    lines: dict[Path, int] = {}
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"not valid YAML: {error.problem or error}") from error
    if node is None:
        return None, lines
    constructor = yaml.SafeLoader("")  # only its scalar resolution is used

    def build(current: yaml.Node, path: Path) -> Any:
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in current.value:
                key = constructor.construct_object(key_node, deep=True)
                if key in result:
                    raise YamlSyntaxError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
                child = (*path, str(key))
                lines[child] = key_node.start_mark.line + 1  # the key's line, where editors look
                result[key] = build(value_node, child)
            return result
        if isinstance(current, yaml.SequenceNode):
            return [build(item, (*path, index)) for index, item in enumerate(current.value)]
        return constructor.construct_object(current, deep=True)

    return build(node, ()), lines


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of ``path``, or of its nearest ancestor that exists in the file."""
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


__all__ = ["YamlSyntaxError", "line_of", "load_with_lines"]
