"""Migrations are frozen: what an old migration does must not change when runtime code
does. The search app's DDL is written out in its migrations (search/0002, 0005, 0006)
for that reason; this keeps any migration from importing live search code again."""

import ast
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

# Live code a migration may not import. A frozen helper module may sit beside the
# migrations under a name starting with "_" (the migration loader skips those).
LIVE_PACKAGES = ("search",)


def imported_modules(path, package):
    """Every module a file imports, relative imports resolved against `package`."""
    for node in ast.walk(ast.parse(Path(path).read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def is_live(module):
    parts = module.split(".")
    if parts[0] not in LIVE_PACKAGES:
        return False
    frozen = len(parts) > 2 and parts[1] == "migrations" and parts[2].startswith("_")
    return module != f"{parts[0]}.migrations" and not frozen


def project_migration_files():
    """{module name: file} of every migration of the project's own apps."""
    base = Path(settings.BASE_DIR).resolve()
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
    }
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        migration.__module__: sys.modules[migration.__module__].__file__
        for (label, _), migration in loader.disk_migrations.items()
        if label in ours
    }


def test_the_import_check_sees_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from search import backends\n"
        "import search.common_terms\n"
        "from . import _frozen_sql\n"
        "from search.migrations._frozen_sql import INSTALL\n"
        "from django.db import migrations\n"
    )
    live = [m for m in imported_modules(sample, "search.migrations") if is_live(m)]
    assert live == ["search", "search.backends", "search.common_terms"]


def test_no_migration_imports_live_search_code():
    files = project_migration_files()
    assert "search.migrations.0002_full_text" in files  # the check reads the search app
    offending = {
        module: live
        for module, path in files.items()
        if (live := [m for m in imported_modules(path, module.rsplit(".", 1)[0]) if is_live(m)])
    }
    assert offending == {}
