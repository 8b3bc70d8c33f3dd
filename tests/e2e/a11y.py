"""Checks that browser tests run against rendered pages: accessibility, HTML validity, layout.

The tools come from npm (see package.json; `scripts/ensure-browser` installs them):

* axe-core audits the live DOM for WCAG 2.1 A/AA failures.
* the Nu HTML Checker (vnu.jar, run with the system Java) validates markup.

The site sends a Content-Security-Policy without 'unsafe-inline', so Playwright's
``page.add_script_tag(path=...)`` cannot inject axe: it adds an inline ``<script>``, which the
CSP blocks. We evaluate axe's source through the DevTools protocol (``page.evaluate``) instead,
which a page's CSP does not govern. That keeps the audited page exactly as a visitor gets it,
CSP enforced, rather than reloading it in a ``bypass_csp=True`` context.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from playwright.sync_api import Page

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOT_DIR = PROJECT_ROOT / "test-results" / "screenshots"

# WCAG 2.1 level A and AA. axe tags each rule with the levels it belongs to; "wcag2a" and
# "wcag2aa" are the WCAG 2.0 rules, which WCAG 2.1 includes.
WCAG21_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_MISSING_TOOL = "{} is missing; run scripts/ensure-browser (it runs `npm ci`)"


@cache
def _axe_source() -> str:
    if not AXE_JS.is_file():
        raise FileNotFoundError(_MISSING_TOOL.format(AXE_JS))
    # The trailing statement makes the script's completion value a plain boolean, so
    # Playwright has nothing odd to serialise back.
    return AXE_JS.read_text(encoding="utf-8") + "\n;true"


def axe_violations(
    page: Page,
    impacts: Iterable[str] | None = ("serious", "critical"),
    tags: Iterable[str] = WCAG21_AA_TAGS,
) -> list[dict]:
    """Run axe-core on the page as it is now and return its violations.

    ``impacts`` keeps only violations of those impacts (axe's scale is minor, moderate,
    serious, critical); ``None`` keeps all. Each violation is axe's own dict: ``id``,
    ``impact``, ``help``, ``helpUrl`` and ``nodes`` (each node has a ``target`` selector list).

    Injection is by ``page.evaluate`` rather than ``add_script_tag``: see the module docstring.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations;
        }""",
        list(tags),
    )
    if impacts is None:
        return results
    wanted = set(impacts)
    return [v for v in results if v.get("impact") in wanted]


def format_violations(violations: list[dict]) -> str:
    """One block per rule, for a failure message a person can act on without a debugger."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {' > '.join(str(t) for t in node['target'])}")
    return "\n".join(lines)


def assert_accessible(page: Page, impacts: Iterable[str] | None = ("serious", "critical")) -> None:
    """Fail with a readable list of axe violations (rule, impact, help, selectors), if any."""
    violations = axe_violations(page, impacts=impacts)
    assert not violations, (
        f"{len(violations)} accessibility rule(s) violated on {page.url}:\n"
        + format_violations(violations)
    )


def validate_html(documents: Mapping[str, str]) -> dict[str, list[str]]:
    """Validate HTML documents with the Nu HTML Checker; return error messages per name.

    All documents go to ONE ``java -jar vnu.jar`` run: the JVM takes about a second to start,
    so validating page by page would dominate a journey suite. Collect the documents first
    (e.g. ``{"home": page.goto(url).text()}``: validate the response body as served, not
    ``page.content()``, which is the browser's re-serialised DOM) and call this once.

    Each message reads ``"line N: <checker message>"``. A document with no errors maps to
    ``[]``. Warnings are ignored (``--errors-only``).
    """
    if not documents:
        return {}
    if not VNU_JAR.is_file():
        raise FileNotFoundError(_MISSING_TOOL.format(VNU_JAR))
    errors: dict[str, list[str]] = {name: [] for name in documents}
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        # Files are named by position, not by document name, so any name is safe to use.
        files: dict[str, str] = {}
        for index, (name, html) in enumerate(documents.items()):
            path = Path(tmp) / f"doc{index:04d}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        proc = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--errors-only",
                "--stdout",
            ]
            + [str(Path(tmp) / f) for f in files],
            capture_output=True,
            text=True,
            check=False,
        )
    # vnu exits 1 when it found errors, so the exit code alone says nothing; a crash shows
    # as output that is not its JSON report.
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"vnu.jar gave no JSON report (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
        ) from exc
    for message in report["messages"]:
        name = files.get(PurePosixPath(unquote(urlparse(message.get("url", "")).path)).name)
        if message["type"] != "error" or name is None:
            # "non-document-error" (an I/O or internal failure) or a URL we did not send:
            # the batch cannot be trusted, so say so rather than report a clean result.
            raise RuntimeError(f"vnu.jar could not check the documents: {message}")
        errors[name].append(f"line {message.get('lastLine', '?')}: {message['message']}")
    return errors


def scroll_width_exceeds_viewport(page: Page) -> bool:
    """True if the page scrolls sideways: content wider than the window (e.g. at phone width)."""
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def save_screenshot(page: Page, name: str) -> Path:
    """Write a full-page PNG to ``test-results/screenshots/<name>.png`` and return its path.

    For people (and CI artefacts) to look at; nothing compares them automatically.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
