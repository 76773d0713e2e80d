// Follows TensorBoard's theme: its page's `dark-mode` class when the parent page can be read, else the
// system's colour scheme.

export function followTheme(root: HTMLElement): void {
  const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
  let parentBody: HTMLElement | null = null;
  try {
    if (window.parent !== window) parentBody = window.parent.document.body;
  } catch {
    parentBody = null;
  }
  const apply = () => {
    const dark = parentBody ? parentBody.classList.contains('dark-mode') : !!mq?.matches;
    root.classList.toggle('dark', dark);
  };
  apply();
  mq?.addEventListener?.('change', apply);
  // TensorBoard's page is another document (the parent of this iframe), not a part of this app.
  if (parentBody) new MutationObserver(apply).observe(parentBody, { attributes: true, attributeFilter: ['class'] });
}
