"""The core imports no platform SDK and no adapter (DESIGN.md: never)."""

import ast
from pathlib import Path

FORBIDDEN = {"telegram", "discord", "nio", "adapters", "bot"}


def test_core_imports_no_platform_sdk_or_adapter():
    offenders = []
    for path in Path("core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(Path("core").rglob("*.py"))) > 10


def test_translations_have_the_same_keys_and_placeholders():
    import string

    from core.i18n.messages import MESSAGES

    assert MESSAGES["en"].keys() == MESSAGES["fr"].keys()
    for key, english in MESSAGES["en"].items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        french = {f for _, f, _, _ in string.Formatter().parse(MESSAGES["fr"][key]) if f}
        assert fields == french, key


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_adapters_import_nothing_from_the_application():
    offenders = [
        f"{p}: {n}" for p in Path("adapters").glob("*.py") for n in _imports(p) if n.split(".")[0] == "bot"
    ]
    assert offenders == []


def test_adapters_hold_no_policy():
    """No command names, refusal texts or splitting/throttling of their own: the core and the render loop own them."""
    from core.commands import REGISTRY

    words = REGISTRY.words()
    offenders = []
    for path in Path("adapters").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if text.lower() in words or text.startswith("access."):
                offenders.append(f"{path}:{node.lineno} {text!r}")
            renders = isinstance(node, ast.Name) and node.id in ("split_text", "StreamRenderer")
            if renders and path.name != "rendering.py":
                offenders.append(f"{path}:{node.lineno} {node.id}")
    assert offenders == []


def _core_imports(path: Path) -> set[str]:
    return {n for n in _imports(path) if n.split(".")[0] == "core"}


def test_the_store_does_not_import_retrieval():
    """Layers read top-down: retrieval (the Retriever) sits above the store, text normalisation below both."""
    offenders = [
        f"{p}: {n}" for p in Path("core/store").rglob("*.py") for n in _core_imports(p) if n.startswith("core.retrieval")
    ]
    assert offenders == []
    assert all(not n.startswith("core.retrieval") for p in Path("core/wording").glob("*.py") for n in _core_imports(p))


def test_migrations_carry_the_code_they_run():
    """A past migration must never change: it imports nothing from core but the database helpers and its frozen code."""
    allowed = {"core.store", "core.store.database", "core.store.migration_text", "core.store.migrations"}
    paths = [*Path("core/store/migrations").glob("*.py"), Path("core/store/migration_text.py")]
    assert len(paths) > 2, "the migrations package moved: point this test at it"
    for path in paths:
        imported = {n for n in _core_imports(path) if not n.startswith("core.store.migrations.")}
        assert imported <= allowed, f"{path}: {imported - allowed}"


def test_no_adapter_checks_access_or_decides_privacy():
    """Access is checked once in the core; privacy is decided there and only honoured by sinks (begin(private))."""
    deciding = {"is_allowed", "may_use", "is_admin", "replies_privately", "is_private", "lists_memory"}
    offenders = []
    for path in Path("adapters").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in deciding:
                offenders.append(f"{path}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.keyword) and node.arg == "ephemeral" and isinstance(node.value, ast.Constant):
                offenders.append(f"{path}:{node.lineno} ephemeral={node.value.value!r}")
    assert offenders == []


def test_no_adapter_module_is_over_250_lines():
    """Adapters translate and send (DESIGN.md): a module growing past 250 lines is deciding something the core owns."""
    sizes = {str(p): len(p.read_text(encoding="utf-8").splitlines()) for p in Path("adapters").glob("*.py")}
    assert [f"{path}: {lines} lines" for path, lines in sizes.items() if lines > 250] == []
    assert len(sizes) > 5


def test_no_core_module_is_over_300_lines():
    """A core module past 300 lines is doing several jobs: split it by purpose (issue 24)."""
    sizes = {str(p): len(p.read_text(encoding="utf-8").splitlines()) for p in Path("core").rglob("*.py")}
    assert [f"{path}: {lines} lines" for path, lines in sizes.items() if lines > 300] == []
    assert len(sizes) > 50
