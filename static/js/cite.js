// Copy buttons for the cite box. Without JavaScript the buttons stay hidden and the
// citations remain plain, selectable text. Where the clipboard is refused, the button
// selects the citation so that the reader can copy it with the keyboard.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const target = document.getElementById(button.dataset.copyTarget);
  if (!target) return;
  button.hidden = false;
  const label = button.textContent;

  function selectCitation() {
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = button.dataset.copiedLabel;
      setTimeout(() => { button.textContent = label; }, 2000);
    } catch {
      selectCitation();
    }
  });
});
