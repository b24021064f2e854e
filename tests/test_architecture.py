"""The house's shape: apps depend on events, notices and accounts, never the reverse;
notices depends on accounts only; no module imports itself round a circle. Read from the
source (every import, also those inside functions), so a lazy import counts too."""

import ast
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "notices",
    "events",
    "assessment",
    "commsplan",
    "reports",
    "guests",
    "documents",
    "omstallning",
]
# What each app may import of the project's own apps, besides itself.
ALLOWED = {
    "accounts": set(),
    "notices": {"accounts"},
    "events": {"accounts", "notices"},
    # A sheet row and a contact register themselves as what a document can be linked from.
    "assessment": {"accounts", "notices", "events", "documents"},
    "commsplan": {"accounts", "notices", "events"},
    # The lägesrapport is compiled from the sheet and the communication plan.
    "reports": {"accounts", "notices", "events", "assessment", "commsplan", "documents"},
    # A guest's answer lands in the party's contact log (assessment.Contact).
    "guests": {"accounts", "notices", "events", "assessment"},
    # Documents on a case. What the other apps finalise reaches its register through
    # events.signals.finalised; the apps whose things a document is linked from register
    # them (documents.targets.register); a guest page never shows a document.
    "documents": {"accounts", "notices", "events"},
    # Omställning (issue 15) reads the events it answers and nothing else: the communication
    # plan's text comes through events.signals.case_summary.
    "omstallning": {"accounts", "notices", "events"},
}


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (BASE / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(BASE).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports, by dotted name."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from notices import outbox` imports the module notices.outbox; only a name
            # that is no module (`from notices import post`) comes from the package itself.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in known
                else node.module
                for alias in node.names
            ]
        else:
            continue
        out |= {name for name in names if name in known}
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known) for name, path in known.items()}


def test_apps_depend_only_downwards():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[module.split(".")[0]] | {module.split(".")[0]}
    )
    assert wrong == []


def test_no_module_imports_itself_round_a_circle():
    edges = graph()
    circles = []

    def visit(module, path):
        for target in edges.get(module, ()):
            if target == path[0]:
                circles.append(" → ".join([*path, target]))
            elif target not in path and target > path[0]:
                visit(target, [*path, target])

    for module in sorted(edges):
        visit(module, [module])
    assert circles == []
