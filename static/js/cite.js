// Copy buttons for the cite box. Without JavaScript the buttons stay hidden and the
// citations remain plain, selectable text.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const target = document.getElementById(button.dataset.copyTarget);
  if (!target || !navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = button.dataset.copiedLabel;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});
