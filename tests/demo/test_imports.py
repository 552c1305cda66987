"""Production code never depends on made-up people: no domain package imports lms.demo (create_app may, for its
commands)."""
import ast
from pathlib import Path

LMS = Path(__file__).resolve().parents[2] / "lms"


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # from lms import demo
    return names


def test_no_domain_package_imports_the_demo_data():
    packages = [p for p in LMS.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "demo"]
    offenders = [str(path.relative_to(LMS)) for package in packages for path in sorted(package.rglob("*.py"))
                 if any(name == "lms.demo" or name.startswith("lms.demo.") for name in _imported(path))]
    assert packages and offenders == []
