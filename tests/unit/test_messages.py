"""Every message key, in both languages, with the parameters its callers pass: no missing key or
parameter, no leftover `{…}`, and no exception name or untranslated detail handed to users."""

from __future__ import annotations

import ast
import inspect
import re
import string
from pathlib import Path

import core.errors
from core.i18n import Translator
from core.i18n.messages import MESSAGES

LEFTOVER = re.compile(r"\{[^{}]*\}")
ERRORS = {
    name: cls for name, cls in inspect.getmembers(core.errors, inspect.isclass) if issubclass(cls, core.errors.UserError)
}


def fields(template: str) -> set[str]:
    """The parameters a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def base_keys() -> set[str]:
    """Message keys as callers name them (`remember.header` for its .one/.other forms)."""
    return {re.sub(r"\.(one|other)$", "", key) for key in MESSAGES["en"]}


def templates(key: str, lang: str) -> list[str]:
    """The template(s) of a key as callers name it."""
    table = MESSAGES[lang]
    return [table[k] for k in (key, f"{key}.one", f"{key}.other") if k in table]


def call_sites() -> list[tuple[str, str, set[str] | None]]:
    """(where, key, parameters passed; None when passed as **kwargs) of every message use in the code."""
    keys = base_keys()
    found = []
    for path in sorted([*Path("core").rglob("*.py"), *Path("adapters").rglob("*.py"), *Path("bot").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path}:{node.lineno}"
            named = {kw.arg for kw in node.keywords if kw.arg}
            params = None if any(kw.arg is None for kw in node.keywords) else named - {"key"}
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            key_kw = next((kw.value for kw in node.keywords if kw.arg == "key"), node.args[0] if node.args else None)
            if name in ERRORS and name != "UserError":
                key = key_kw.value if isinstance(key_kw, ast.Constant) else ERRORS[name].key
                if key_kw is None or isinstance(key_kw, ast.Constant):
                    found.append((where, key, params))
                continue
            literal = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            found += [(where, key, params) for key in literal if key in keys]
    return found


def source_files() -> list[Path]:
    """Every module of the application."""
    return sorted([*Path("core").rglob("*.py"), *Path("adapters").rglob("*.py"), *Path("bot").rglob("*.py")])


def key_arguments() -> list[tuple[str, ast.expr]]:
    """(where, value) of every `key=` argument and every Phrase's key: the ways a message is named."""
    found = []
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path}:{node.lineno}"
            if getattr(node.func, "attr", None) != "locale_str":  # Discord's own translation keys
                found += [(where, kw.value) for kw in node.keywords if kw.arg == "key"]
            if getattr(node.func, "id", None) == "Phrase" and node.args:
                found.append((where, node.args[0]))
    return found


def test_every_key_argument_names_a_message():
    """`UserError(key="matrix.download_failed")` reached users as its raw key: every `key=` in the code
    (an f-string's too, as the keys it can produce) must name a message."""
    translate = Translator()
    problems, named = [], 0
    for where, value in key_arguments():
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            named += 1
            if not translate.knows(value.value):
                problems.append(f"{where}: unknown key {value.value!r}")
        elif isinstance(value, ast.JoinedStr):
            named += 1
            pattern = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"[a-z_]+" for part in value.values)
            if not any(re.fullmatch(pattern, key) for key in base_keys()):
                problems.append(f"{where}: no message matches {ast.unparse(value)}")
    assert named > 30  # the walk does find the code's keys
    assert problems == []


def test_every_key_exists_in_both_languages_with_the_same_parameters():
    assert MESSAGES["en"].keys() == MESSAGES["fr"].keys()
    for key in MESSAGES["en"]:
        assert fields(MESSAGES["en"][key]) == fields(MESSAGES["fr"][key]), key


def test_every_key_renders_in_both_languages_without_a_leftover_placeholder():
    translate = Translator()
    for key in base_keys():
        params = {name: "X" for template in templates(key, "en") for name in fields(template)}
        for lang in ("en", "fr"):
            for count in (1, 2):
                text = translate(lang, key, **(params | {"count": count} if "count" in params else params))
                assert text and not LEFTOVER.search(text), (lang, key, text)


def test_every_call_site_names_a_known_key_and_passes_every_parameter():
    sites = call_sites()
    assert len(sites) > 80  # the walk does find the code's messages
    problems = []
    for where, key, params in sites:
        if not templates(key, "en") or not templates(key, "fr"):
            problems.append(f"{where}: unknown key {key}")
            continue
        if params is None:
            continue
        for lang in ("en", "fr"):
            needed = set().union(*(fields(t) for t in templates(key, lang))) - {"c", "count"}
            if needed - params:
                problems.append(f"{where}: {key} ({lang}) misses {sorted(needed - params)}")
    assert problems == []


def test_no_user_error_carries_an_exception_name_or_an_english_detail():
    problems = []
    for path in [*Path("core").rglob("*.py"), *Path("bot").rglob("*.py"), *Path("adapters").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
                for kw in node.keywords:
                    shown = ast.unparse(kw.value)
                    if "__name__" in shown or (
                        kw.arg == "detail" and isinstance(kw.value, (ast.Constant, ast.JoinedStr))
                    ):
                        problems.append(f"{path}:{node.lineno}: {kw.arg}={shown}")
    assert problems == []


def test_a_missing_parameter_never_shows_as_a_placeholder():
    translate = Translator()
    assert "{" not in translate("fr", "file.json_invalid", name="notes.json")
    assert translate("en", "error.bad_input") == ""
