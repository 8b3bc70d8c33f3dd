// Django's admin autocomplete widgets (select2) render a combobox that has no
// accessible name of its own. Give each one the name of the form label of the <select>
// it replaces, so screen readers announce "Issuing body", not an empty box. Runs for
// widgets present at load and for those that inline "Add another" rows create later.
(function () {
  "use strict";

  function labelFor(select) {
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameWidget(container) {
    const select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    const name = labelFor(select);
    if (!name) return;
    const parts = ".select2-selection, .select2-selection__rendered, .select2-search__field";
    container.querySelectorAll(parts).forEach((el) => {
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", name);
    });
  }

  function nameAll(root) {
    root.querySelectorAll("span.select2-container").forEach(nameWidget);
  }

  document.addEventListener("DOMContentLoaded", () => {
    nameAll(document);
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        mutation.addedNodes.forEach((node) => {
          if (node.nodeType === Node.ELEMENT_NODE) nameAll(node.parentElement || node);
        });
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
