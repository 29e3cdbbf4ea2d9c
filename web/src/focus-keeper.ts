/**
 * Keyboard focus that a change of the page takes away is put back. Chrome drops focus to the
 * page when the focused control is disabled (a button waiting for its request) or removed (an
 * approved notice's button, a rebuilt form), and a keyboard user then starts again from the
 * top. Views that know a better place put focus there themselves; this catches the rest: a
 * control that is enabled again gets its focus back, and a removed one hands it to the heading
 * of the panel it was in (or of the page).
 */

const PANEL = 'dialog, section, main';
const STILL_DISABLED_MS = 2000;

/** Starts watching the document; returns the function that stops it. */
export function keepFocus(doc: Document = document): () => void {
  // The control focus was last on, unless the user let go of it.
  let last: HTMLElement | null = null;
  let panel: HTMLElement | null = null;

  const onFocusIn = (event: FocusEvent) => {
    last = event.target instanceof HTMLElement ? event.target : null;
    panel = last?.parentElement?.closest<HTMLElement>(PANEL) ?? null;
  };
  const adrift = () => doc.activeElement === doc.body && doc.hasFocus();
  const toHeading = () => {
    last = null;
    headingOf(panel?.isConnected ? panel : null, doc)?.focus();
  };
  let waiting: ReturnType<typeof setTimeout> | undefined;

  const rescue = () => {
    const lost = last;
    if (lost === null || !adrift()) return;
    if (!lost.isConnected) return toHeading();
    if (!isDisabled(lost)) return lost.focus();

    // Disabled: most come back when their request ends; one that stays disabled (nothing left
    // to do) hands focus on.
    clearTimeout(waiting);
    waiting = setTimeout(() => {
      if (last === lost && adrift() && isDisabled(lost)) toHeading();
    }, STILL_DISABLED_MS);
  };
  const observer = new MutationObserver(rescue);

  // Focus given up on purpose: a click on nothing focusable. (Tab and clicks on controls move
  // focus somewhere, and another window leaves the document without focus.) Anything else that
  // blurs a control is judged a task later, once Chrome has settled where focus went: it
  // reports a removal while the control is still attached, and a closing dialog may blur the
  // control it gave focus back to.
  let pointed = false;
  const onPointerDown = () => {
    pointed = true;
  };
  const onKeyDown = () => {
    pointed = false;
  };
  const onFocusOut = (event: FocusEvent) => {
    if (event.relatedTarget === null && pointed) last = null;
    pointed = false;
    setTimeout(rescue, 0);
  };

  doc.addEventListener('focusin', onFocusIn);
  doc.addEventListener('focusout', onFocusOut);
  doc.addEventListener('pointerdown', onPointerDown, true);
  doc.addEventListener('keydown', onKeyDown, true);
  observer.observe(doc.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['disabled'],
  });
  return () => {
    clearTimeout(waiting);
    observer.disconnect();
    doc.removeEventListener('focusin', onFocusIn);
    doc.removeEventListener('focusout', onFocusOut);
    doc.removeEventListener('pointerdown', onPointerDown, true);
    doc.removeEventListener('keydown', onKeyDown, true);
  };
}

function isDisabled(el: HTMLElement): boolean {
  return el.matches(':disabled');
}

/** The panel's heading, made focusable by script only (not a Tab stop). */
function headingOf(panel: HTMLElement | null, doc: Document): HTMLElement | null {
  const heading =
    panel?.querySelector<HTMLElement>('h1, h2, h3') ?? doc.querySelector<HTMLElement>('main h1');
  if (heading && !heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  return heading ?? null;
}
