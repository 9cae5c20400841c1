"""The floors hold: read every module's imports (TYPE_CHECKING ones included) from its syntax
tree and check who imports whom (docs/architecture.md)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import bot

ROOT = Path(bot.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the bot modules it imports, anywhere in the file."""
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        found[name] = {t for t in targets if t == "bot" or t.startswith("bot.")}
    modules = set(found)
    # "from bot.services import accounts" names a module; "from bot.x import Thing" names x.
    return {
        name: {t if t in modules else t.rpartition(".")[0] for t in targets} & modules - {name}
        for name, targets in found.items()
    }


IMPORTS = _imports()


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_map_of_imports_is_read() -> None:
    assert "bot.services.accounts" in IMPORTS["bot.handlers.phone"]
    assert "bot.db.models" in IMPORTS["bot.services.accounts"]


def test_no_handler_reaches_the_database() -> None:
    offenders = {
        module: sorted(t for t in targets if _under(t, "bot.db"))
        for module, targets in IMPORTS.items()
        if _under(module, "bot.handlers")
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_lower_floors_never_import_upper_ones() -> None:
    upper = (
        "bot.handlers",
        "bot.app",
        "bot.runtime",
        "bot.context",
        "bot.cli",
        "bot.demo",
        "bot.inbound",
    )
    floors = ("bot.services", "bot.delivery", "bot.domain", "bot.db", "bot.presentation")
    offenders = {
        module: sorted(t for t in targets if any(_under(t, u) for u in upper))
        for module, targets in IMPORTS.items()
        if any(_under(module, f) for f in floors)
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_domain_is_pure() -> None:
    offenders = {
        module: sorted(t for t in targets if not _under(t, "bot.domain") and t != "bot.i18n")
        for module, targets in IMPORTS.items()
        if _under(module, "bot.domain")
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def _presentation_sources() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in (ROOT / "presentation").rglob("*.py")
    }


def _is_value(thing: object) -> bool:
    """A class (a frozen value, an enum, an error) or a constant: nothing that reads or acts."""
    return not isinstance(thing, ModuleType) and (isinstance(thing, type) or not callable(thing))


def test_presentation_renders_values_and_never_reads() -> None:
    """presentation/ turns values into text: it imports no sqlalchemy, no bot.db and no
    bot.delivery. From bot.services it imports only value types and constants (the frozen
    results the services return, e.g. SummonsView, Figures, and limits such as MAX_TEXT):
    those are defined there, beside the use case that returns them, and moving them all to
    domain/ would only add re-exports. A service module or function is refused."""
    offenders: set[str] = set()
    for module, tree in _presentation_sources().items():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                if _under(node.module, "bot.services"):
                    source = importlib.import_module(node.module)
                    offenders |= {
                        f"{module}: {node.module}.{alias.name}"
                        for alias in node.names
                        if not _is_value(getattr(source, alias.name))
                    }
            offenders |= {
                f"{module}: {name}"
                for name in names
                if any(_under(name, p) for p in ("sqlalchemy", "bot.db", "bot.delivery"))
                or (isinstance(node, ast.Import) and _under(name, "bot.services"))
            }
    assert offenders == set()


def test_no_presentation_function_takes_a_session() -> None:
    offenders = {
        f"{module}: {node.name}({argument.arg})"
        for module, tree in _presentation_sources().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for argument in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        if argument.annotation is not None and "AsyncSession" in ast.unparse(argument.annotation)
    }
    assert offenders == set()


def test_the_presentation_rule_refuses_a_service_function() -> None:
    from bot.services import summonses

    assert _is_value(summonses.SummonsView) and _is_value(summonses.DECLINE_REASONS)
    assert not _is_value(summonses.view) and not _is_value(summonses)


def test_a_module_over_400_lines_says_why_it_is_one() -> None:
    """Modules stay under 400 lines; a longer one says in its docstring why it is kept whole."""
    offenders = {
        str(path.relative_to(ROOT.parent))
        for path in ROOT.rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > 400
        and "kept in one module on purpose"
        not in " ".join(
            (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").split()
        )
    }
    assert offenders == set()


def test_feature_handlers_do_not_import_each_other() -> None:
    """Features share only the helper modules; the registry and the text router see all."""
    shared = {"bot.handlers.access", "bot.handlers.guards", "bot.handlers.replies"}
    everyone = {"bot.handlers", "bot.handlers.conversation"}
    offenders = {
        module: sorted(
            t for t in targets if _under(t, "bot.handlers") and t not in shared | {"bot.handlers"}
        )
        for module, targets in IMPORTS.items()
        if _under(module, "bot.handlers") and module not in everyone | shared
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first search meets, as the path around it."""
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            cycles.append([*visiting[visiting.index(module) :], module])
            return
        visiting.append(module)
        for target in sorted(graph.get(module, ())):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_there_is_no_import_cycle() -> None:
    """Imports under TYPE_CHECKING count. A submodule importing its own package is left out:
    Python imports a package before any of its submodules, which is not a cycle of ours."""
    graph = {
        module: {t for t in targets if not module.startswith(t + ".")}
        for module, targets in IMPORTS.items()
    }
    assert find_cycles(graph) == []


def test_test_modules_share_helpers_only_through_tests_support() -> None:
    """A test file imports nothing from another test file: what tests share lives in
    tests/support/ (as python-telegram-bot's tests/auxil/), fixtures in tests/conftest.py."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.relative_to(tests)} imports {name}"
                for name in names
                if name.startswith("tests.test_") or (name == "tests" and _names_a_test(node))
            ]
    assert offenders == []


def _names_a_test(node: ast.AST) -> bool:
    """`from tests import test_x` names a test module too."""
    return isinstance(node, ast.ImportFrom) and any(
        alias.name.startswith("test_") for alias in node.names
    )
