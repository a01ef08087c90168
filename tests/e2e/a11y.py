"""Accessibility check of the page a journey is on.

axe-core comes from the `axe-playwright-python` wheel of the dev extra (its bundled
`axe.min.js`); it is injected into the page by evaluation, so no copy is committed and no
other host is asked. On top of axe's WCAG 2 A/AA rules, two checks of our own:

- headings: exactly one visible h1, and no level skipped going down (h2 → h4);
- keyboard: every visible link, button and form control, and everything the page makes
  clickable (onclick, role=button/link, pointer cursor), can be reached with Tab;
- contrast: no text below 4.5:1, large text included (WCAG AA lets large text go down to
  3:1; axe's enhanced rule, which asks 4.5:1 of large text, finds those).

A violation raises AssertionError naming the rule, the element and what to fix.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from urllib.parse import urlparse

# WCAG 2.0/2.1 level A and AA: labels, names of buttons/links/selects, contrast (AA 4.5:1),
# tabindex, focusable scrollable regions, valid ARIA...
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules asked for on top of the tags.
EXTRA_RULES = ["heading-order", "page-has-heading-one", "empty-heading", "empty-table-header"]


# Pages checked during the current test, as url_pattern() of their address.
checked: set[str] = set()


def url_pattern(url: str) -> str:
    """`http://host/research/reports/12/?x=1` → `/research/reports/N/`: one per kind of page."""
    return re.sub(r"\d+", "N", urlparse(url).path)


@cache
def axe_source() -> str:
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


AXE_RUN = """async ({tags, extra}) => {
  const rules = {};
  for (const id of extra) rules[id] = {enabled: true};
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules,
    resultTypes: ["violations"],
  });
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.join(" "), html: n.html, summary: n.failureSummary,
    })),
  }));
}"""
# Large text under 4.5:1: the nodes of axe's enhanced contrast rule (7:1 for body text,
# 4.5:1 for large text) whose expected ratio is 4.5:1.
LARGE_TEXT_CONTRAST = """async () => {
  const results = await axe.run(document, {
    runOnly: {type: "rule", values: ["color-contrast-enhanced"]},
    resultTypes: ["violations"],
  });
  const nodes = [];
  for (const v of results.violations) {
    for (const n of v.nodes) {
      const data = (n.any[0] || {}).data || {};
      if (String(data.expectedContrastRatio) !== "4.5:1") continue;
      nodes.push({target: n.target.join(" "), html: n.html,
        summary: `large text at ${data.contrastRatio}:1 (${data.fgColor} on ${data.bgColor}); `
          + "every text needs 4.5:1"});
    }
  }
  return nodes.length ? [{id: "large-text-contrast", impact: "serious",
    help: "Large text must also have a contrast of at least 4.5:1", helpUrl: "", nodes}] : [];
}"""


# Our own checks: heading outline and keyboard reach (what axe does not look at).
OWN_CHECKS = """() => {
  const problems = [];
  const visible = el => el.checkVisibility({visibilityProperty: true, opacityProperty: false})
    && !el.closest('[aria-hidden="true"], [inert]');
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.getAttribute('name')) s += `[name="${el.getAttribute('name')}"]`;
    const cls = [...el.classList].slice(0, 3).join('.');
    if (cls) s += '.' + cls;
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };

  // Headings
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6,[role="heading"]')]
    .filter(visible)
    .map(h => ({el: h, level: Number(h.getAttribute('aria-level')) || Number(h.tagName[1]) || 2}));
  const ones = headings.filter(h => h.level === 1);
  if (ones.length !== 1) {
    problems.push({rule: 'one-h1', target: ones.map(h => describe(h.el)).join(', ') || 'body',
      fix: `the page has ${ones.length} visible h1; give it exactly one`});
  }
  let previous = 0;
  for (const h of headings) {
    if (previous && h.level > previous + 1) {
      problems.push({rule: 'heading-levels', target: describe(h.el),
        fix: `h${h.level} follows h${previous}: use h${previous + 1} (style it with a class)`});
    }
    previous = h.level;
  }

  // Keyboard reach
  const controls = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + '[role="button"], [role="link"], [role="tab"], [role="menuitem"], [role="checkbox"], '
    + '[onclick], [data-bs-toggle]';
  const focusedBefore = document.activeElement;
  const focusable = el => {
    if (el.disabled || el.tabIndex < 0) return false;
    el.focus({preventScroll: true});
    const ok = document.activeElement === el;
    el.blur();
    return ok;
  };
  for (const el of document.querySelectorAll(controls)) {
    if (!visible(el) || el.disabled) continue;
    if (!focusable(el)) {
      problems.push({rule: 'keyboard-reach', target: describe(el),
        fix: 'cannot be reached with Tab: use a real link/button or give it tabindex="0"'});
    }
  }
  // leave the focus where the test had it (screenshots must not show a focused skip link)
  if (focusedBefore && focusedBefore !== document.body) focusedBefore.focus({preventScroll: true});
  // Things made to look clickable (pointer cursor) that are no control and sit in none.
  const reachable = el => el.closest(controls + ', label');
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || reachable(el)) continue;
    if (getComputedStyle(el).cursor !== 'pointer') continue;
    if (el.parentElement && getComputedStyle(el.parentElement).cursor === 'pointer'
        && !reachable(el.parentElement)) continue;  // reported once, at the outermost element
    problems.push({rule: 'clickable-not-focusable', target: describe(el),
      fix: 'looks clickable (pointer cursor) but is no link, button or control'});
  }
  return problems;
}"""


def _format(violations: list[dict], own: list[dict], page_url: str) -> str:
    lines = [f"accessibility problems on {page_url}:"]
    for v in violations:
        lines.append(f"- axe {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:8]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            lines.append(f"      fix: {summary[:400]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    for p in own:
        lines.append(f"- {p['rule']}: {p['target']}\n      fix: {p['fix']}")
    return "\n".join(lines)


def check_a11y(page, disable: tuple[str, ...] = ()) -> None:
    """Fail with a readable list of every accessibility problem of the current page.

    `disable` names axe rules that truly do not apply to this page; say why at the call.
    """
    page.wait_for_load_state("load")
    checked.add(url_pattern(page.url))
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations = page.evaluate(AXE_RUN, {"tags": TAGS, "extra": EXTRA_RULES})
    violations += page.evaluate(LARGE_TEXT_CONTRAST)
    violations = [v for v in violations if v["id"] not in disable]
    own = page.evaluate(OWN_CHECKS)
    if violations or own:
        raise AssertionError(_format(violations, own, page.url))
