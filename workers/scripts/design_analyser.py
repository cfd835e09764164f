#!/usr/bin/env python3
"""Design analyser: turns a design document into component specs.

Run by the workflow action ``script.run`` (runtime ``python``): the step's ``input`` arrives as
JSON on stdin, ``{"design": {...}}``, and the result is printed as one JSON object on stdout.
By hand: ``python3 design_analyser.py ../designs/landing-page.design.json``.

A design document (see workers/designs/landing-page.design.json)::

    {"name": "Landing page",
     "frames": [{"name": "Hero",
                 "layers": [{"name": "Primary button", "type": "button",
                             "props": {"label": "Start", "variant": "primary"},
                             "children": [...]}]}]}

Every layer whose ``type`` is a known component type (or that sets ``"component": "Name"``) is
a component occurrence. Occurrences are grouped per component; the spec lists the union of
their props (JSON type, whether every occurrence sets it, the values seen for enumerable props)
and suggested variants (the values of variant-like props plus the states the type usually needs).

Invalid input: a message on stderr and exit code 2. Standard library only.
"""

import json
import re
import sys

# Component type -> atomic design level; layers of other types are containers only.
LEVELS = {
    "button": "ATOM",
    "input": "ATOM",
    "checkbox": "ATOM",
    "toggle": "ATOM",
    "badge": "ATOM",
    "avatar": "ATOM",
    "icon": "ATOM",
    "link": "ATOM",
    "select": "ATOM",
    "card": "MOLECULE",
    "form-field": "MOLECULE",
    "search": "MOLECULE",
    "list-item": "MOLECULE",
    "navbar": "ORGANISM",
    "header": "ORGANISM",
    "footer": "ORGANISM",
    "form": "ORGANISM",
    "modal": "ORGANISM",
}

# States a component of that type usually needs, suggested when the design does not show them.
STATES = {
    "button": ["disabled", "loading"],
    "input": ["disabled", "error"],
    "select": ["disabled", "error"],
    "checkbox": ["checked", "disabled"],
    "toggle": ["on", "disabled"],
    "card": ["hover"],
    "link": ["visited"],
}

# Props whose string values name variants.
VARIANT_PROPS = ("variant", "size", "tone", "kind", "elevation")
MAX_ENUM_VALUES = 6


class DesignError(Exception):
    """The design document does not have the expected shape."""


def pascal_case(text):
    words = re.findall(r"[A-Za-z0-9]+", text)
    return "".join(word[:1].upper() + word[1:] for word in words) or "Component"


def json_type(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "object"


def walk(layers, frame, path, found):
    if not isinstance(layers, list):
        raise DesignError(f"{path}: expected a list of layers")
    for index, layer in enumerate(layers):
        where = f"{path}/{index}"
        if not isinstance(layer, dict) or not isinstance(layer.get("name"), str):
            raise DesignError(f"{where}: expected a layer object with a name")
        kind = str(layer.get("type", "")).lower()
        props = layer.get("props", {})
        if not isinstance(props, dict):
            raise DesignError(f"{where}/props: expected an object")
        explicit = layer.get("component")
        if explicit or kind in LEVELS:
            name = pascal_case(explicit) if isinstance(explicit, str) else pascal_case(kind)
            children = layer.get("children", [])
            found.append(
                {
                    "name": name,
                    "type": kind or "custom",
                    "layer": layer["name"],
                    "frame": frame,
                    "props": props,
                    "hasComponentChildren": any(
                        isinstance(c, dict) and (c.get("component") or str(c.get("type", "")).lower() in LEVELS)
                        for c in children
                    )
                    if isinstance(children, list)
                    else False,
                }
            )
        walk(layer.get("children", []), frame, f"{where}/children", found)


def level_of(kind, has_children):
    level = LEVELS.get(kind, "MOLECULE" if has_children else "ATOM")
    if level == "ATOM" and has_children:
        return "MOLECULE"
    return level


def spec_of(name, occurrences):
    kind = occurrences[0]["type"]
    props = {}
    for occurrence in occurrences:
        for key, value in occurrence["props"].items():
            entry = props.setdefault(key, {"name": key, "types": set(), "values": [], "count": 0})
            entry["types"].add(json_type(value))
            entry["count"] += 1
            if isinstance(value, (str, bool)) and value not in entry["values"]:
                entry["values"].append(value)
    prop_specs = []
    for key in sorted(props):
        entry = props[key]
        spec = {
            "name": key,
            "type": "|".join(sorted(entry["types"])),
            "required": entry["count"] == len(occurrences),
        }
        strings = [v for v in entry["values"] if isinstance(v, str)]
        if key in VARIANT_PROPS and 0 < len(strings) <= MAX_ENUM_VALUES:
            spec["values"] = strings
        prop_specs.append(spec)
    variants = []
    for key in VARIANT_PROPS:
        if key in props:
            variants += [v for v in props[key]["values"] if isinstance(v, str) and v not in variants]
    shown_states = {key for key, entry in props.items() if entry["types"] == {"boolean"}}
    variants += [state for state in STATES.get(kind, []) if state not in shown_states and state not in variants]
    return {
        "name": name,
        "type": kind,
        "level": level_of(kind, any(o["hasComponentChildren"] for o in occurrences)),
        "props": prop_specs,
        "variants": variants or ["default"],
        "occurrences": len(occurrences),
        "frames": sorted({o["frame"] for o in occurrences}),
    }


def analyse(design):
    if not isinstance(design, dict):
        raise DesignError("/: expected a design object")
    frames = design.get("frames")
    if not isinstance(frames, list) or not frames:
        raise DesignError("/frames: expected a non-empty list of frames")
    found = []
    for index, frame in enumerate(frames):
        if not isinstance(frame, dict) or not isinstance(frame.get("name"), str):
            raise DesignError(f"/frames/{index}: expected a frame object with a name")
        walk(frame.get("layers", []), frame["name"], f"/frames/{index}/layers", found)
    groups = {}
    for occurrence in found:
        groups.setdefault(occurrence["name"], []).append(occurrence)
    return {
        "design": str(design.get("name", "untitled")),
        "frames": len(frames),
        "components": [spec_of(name, groups[name]) for name in sorted(groups)],
    }


def main(argv):
    try:
        if len(argv) > 1:
            with open(argv[1], encoding="utf-8") as handle:
                design = json.load(handle)
        else:
            request = json.load(sys.stdin)
            if not isinstance(request, dict) or "design" not in request:
                raise DesignError('expected {"design": {...}} on stdin')
            design = request["design"]
        result = analyse(design)
    except (DesignError, ValueError, OSError) as error:
        print(f"design_analyser: {error}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
