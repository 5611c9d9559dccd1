"""The documentation and the code name the same settings and commands.

- Every environment variable the code reads (the app, the command line, the tests, the
  benchmarks) is named in README.md or docs/ (bench/README.md for the benchmarks' own).
- Every setting a documentation table lists is still read by the code.
- Every ``tthc`` command and subcommand is shown in README.md or docs/, and every ``tthc …``
  command the documentation shows exists.

The variables are found in the source (what ``os.environ`` / ``os.getenv`` read, directly,
through a module constant or dict, or through a helper that reads its argument), so a new
setting fails this test until it is documented.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click

from cli.main import main as tthc

ROOT = Path(__file__).resolve().parent.parent
CODE = ["app.py", "components", "pages", "server", "cli", "data", "tests", "bench", "scripts"]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,}$")


def _python_files():
    for place in CODE:
        path = ROOT / place
        yield from ([path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts))


def _is_env_read(call: ast.Call) -> bool:
    name = ast.unparse(call.func)
    return name.endswith(("environ.get", "getenv", "environ.setdefault", "environ.pop"))


def env_reads_in(tree: ast.Module) -> set[str]:
    """Names of the environment variables a module reads."""
    constants, dicts = {}, {}
    for node in tree.body:  # module constants: NAME = "X" and NAME = {...: "X"}
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                constants[node.targets[0].id] = value.value
            elif isinstance(value, ast.Dict):
                dicts[node.targets[0].id] = [v.value for v in value.values if isinstance(v, ast.Constant)]
    helpers = set()  # functions that read the variable their first parameter names
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.args.args:
            first = node.args.args[0].arg
            if any(isinstance(c, ast.Call) and _is_env_read(c) and c.args and isinstance(c.args[0], ast.Name)
                   and c.args[0].id == first for c in ast.walk(node)):
                helpers.add(node.name)

    def resolve(arg, scope) -> list[str]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return [arg.value]
        if isinstance(arg, ast.Name):
            if arg.id in constants:
                return [constants[arg.id]]
            for node in ast.walk(scope):  # name = SOME_DICT.get(...) / SOME_DICT[...]
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets):
                    source = node.value.func.value if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) \
                        else node.value.value if isinstance(node.value, ast.Subscript) else None
                    if isinstance(source, ast.Name) and source.id in dicts:
                        return dicts[source.id]
        return []

    found = set()
    scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and node.args and (_is_env_read(node) or ast.unparse(node.func) in helpers):
                if isinstance(node.args[0], ast.Name) and scope is not tree and node.args[0].id in [a.arg for a in scope.args.args][:1] \
                        and scope.name in helpers:
                    continue  # the helper's own read of its parameter
                found.update(resolve(node.args[0], scope))
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ") and isinstance(node.ctx, ast.Load):
                found.update(resolve(node.slice, scope))
    return {n for n in found if ENV_NAME.match(n)}


def code_env_reads() -> dict[str, str]:
    out = {}
    for path in _python_files():
        for name in env_reads_in(ast.parse(path.read_text())):
            out.setdefault(name, str(path.relative_to(ROOT)))
    for script in ("test.sh", "run.sh", ".ci/run"):  # ${NAME} / $NAME the shell scripts read and do not set
        text = (ROOT / script).read_text()
        own = set(re.findall(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]+)=", text, re.M))
        for name in set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", text)) - own:
            out.setdefault(name, script)
    return out


def docs_text() -> str:
    return "\n".join(path.read_text() for path in DOCS)


def documented_settings() -> set[str]:
    """The variables the documentation's tables list (first cell: `NAME` or `NAME`, `OTHER`)."""
    names = set()
    for line in docs_text().splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names.update(n for n in re.findall(r"`([A-Z][A-Z0-9_]+)`", first))
    return names


def test_doc001_every_variable_the_code_reads_is_documented():
    text = docs_text()
    reads = code_env_reads()
    assert {"DATABASE_URL", "COOKIE_SECURE", "TARGET_ON_TIME_RATE", "TTHC_IMPORT_LABELS"} <= set(reads)  # the scan finds them
    missing = {name: where for name, where in reads.items() if f"`{name}`" not in text and f"{name}=" not in text}
    assert missing == {}, "document these settings in README.md or docs/"


def test_doc002_every_documented_setting_is_still_read():
    settings = documented_settings()
    assert {"DATABASE_URL", "SECRET_KEY", "FORCE_HTTPS"} <= settings
    gone = settings - set(code_env_reads())
    assert gone == set(), "the documentation lists settings nothing reads any more"


def tthc_commands() -> set[str]:
    """'demo', 'db upgrade', 'import dossiers', …: every command path of the CLI."""
    out = set()

    def walk(command: click.Command, prefix: str):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                out.add((prefix + " " + name).strip())
                walk(sub, prefix + " " + name)

    walk(tthc, "")
    return out


def documented_commands() -> set[str]:
    """Command paths the documentation shows: 'tthc user add|list' gives 'user', 'user add', 'user list'."""
    out = set()
    for first, rest in re.findall(r"\btthc ([a-z][a-z-]*)((?: [a-z][a-z-]*(?:\|[a-z][a-z-]*)*)?)", docs_text()):
        out.add(first)
        for sub in rest.strip().split("|") if rest.strip() else []:
            out.add(f"{first} {sub}")
    return out


def test_doc003_every_tthc_command_is_documented():
    commands = tthc_commands()
    assert {"demo", "db upgrade", "import dossiers", "user reset-password", "warm", "summary"} <= commands
    assert commands - documented_commands() == set(), "show these commands in README.md or docs/"


def test_doc004_every_documented_tthc_command_exists():
    commands = tthc_commands()
    groups = {c for c in commands if " " not in c and any(x.startswith(c + " ") for x in commands)}
    shown = documented_commands()
    # A word after a command that is not a group is an argument ('tthc warm --watch' has none).
    unknown = {c for c in shown if c not in commands and (c.split()[0] in groups or " " not in c)}
    assert unknown == set(), "the documentation shows commands the CLI does not have"
