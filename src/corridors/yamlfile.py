"""The one way a YAML file a user gives is read (lenses, agreements, practices, survey mappings),
with limits so that a hostile or broken file fails at once with a clear message.

- size: at most ``MAX_BYTES`` (a mapping or a list of lenses is a few kilobytes);
- aliases: ``&anchor`` / ``*alias`` are allowed, but the document they expand to may hold at most
  ``MAX_VALUES`` values (a "billion laughs" bomb expands to 10^9) and may not refer to itself;
- nesting: at most ``MAX_DEPTH`` levels;
- YAML's safe subset only (no Python objects); text must be UTF-8.

The check walks the parsed node graph once (each anchored node counted once, with the size it
expands to), before anything is built, so a bomb is refused in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from corridors.errors import InputError

MAX_BYTES = 5 * 1024 * 1024
MAX_VALUES = 1_000_000
MAX_DEPTH = 100


class _TooBig(Exception):
    pass


def _expanded(root: Node) -> int:
    """How many values the document holds once every alias is expanded (a node reached by
    several aliases counts each time); _TooBig past the limits or on a self-reference."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise _TooBig("no alias inside the node it refers to", "an alias loop (&name ... *name)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"at most {MAX_DEPTH} levels of nesting", f"more than {MAX_DEPTH}")
        total = 1
        if isinstance(node, (SequenceNode, MappingNode)):
            open_.add(key)
            children = node.value if isinstance(node, SequenceNode) else [
                part for pair in node.value for part in pair]
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_VALUES:
                    raise _TooBig(f"at most {MAX_VALUES:,} values once its aliases (*name) are "
                                  "expanded", f"more than {MAX_VALUES:,} values (an alias bomb?)")
            open_.discard(key)
        sizes[key] = total
        return total

    return size(root, 0)


def load_yaml(text: str, file: str, hint: str = "") -> object:
    """The YAML document in ``text`` (read from ``file``, named in messages), checked against
    the limits; InputError naming the file and what was wrong."""
    if len(text) > MAX_BYTES:
        raise InputError.one(file, f"a YAML file of at most {MAX_BYTES // (1024 * 1024)} MB",
                             value=f"{len(text):,} characters", hint=hint)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded(node)
        return loader.construct_document(node)
    except _TooBig as error:
        expected, found = error.args
        raise InputError.one(file, expected, value=found, hint=hint) from None
    except RecursionError:
        raise InputError.one(file, f"at most {MAX_DEPTH} levels of nesting", hint=hint) from None
    except yaml.YAMLError as error:
        raise InputError.one(file, "valid YAML", value=str(error).splitlines()[0],
                             hint=hint or str(error)) from None
    finally:
        loader.dispose()


def read_yaml(path: Path | str, hint: str = "") -> object:
    """The YAML file at ``path``, read as :func:`load_yaml` reads text."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError.one(str(path), f"a YAML file of at most {MAX_BYTES // (1024 * 1024)} "
                                 "MB", value=f"{size:,} bytes", hint=hint)
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError.one(str(path), "UTF-8 text", value=f"byte {error.start}",
                             hint=hint) from None
    return load_yaml(text, str(path), hint)
