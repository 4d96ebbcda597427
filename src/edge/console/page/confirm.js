// The confirmation every change goes through: a modal dialog that names exactly what will be
// changed. Cancel has the focus, so Enter or Escape by reflex changes nothing.

/** Resolves true when the operator confirms, false when they cancel (button or Escape). */
export function confirmAction({ title, message, target, confirmLabel }) {
  const dialog = document.getElementById("confirm-dialog");
  const cancel = document.getElementById("confirm-cancel");
  const ok = document.getElementById("confirm-ok");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-message").textContent = message;
  document.getElementById("confirm-target").textContent = target;
  ok.textContent = confirmLabel;
  return new Promise((resolve) => {
    const close = (confirmed) => {
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      resolve(confirmed);
    };
    const onOk = () => close(true);
    const onCancel = () => close(false);
    // Escape closes the dialog by itself.
    const onClose = () => close(false);
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    cancel.focus();
  });
}
