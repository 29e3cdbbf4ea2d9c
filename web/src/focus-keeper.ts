/**
 * Keyboard focus that a change of the page takes away is put back. Chrome drops focus to the
 * page when the focused control is disabled (a button waiting for its request) or removed (an
 * approved notice's button, a rebuilt form), and a keyboard user then starts again from the
 * top. Views that know a better place put focus there themselves, in a layout effect, before
 * this runs; this catches the rest: a control that is enabled again gets its focus back, and a
 * removed one hands it to the heading of the nearest panel around it that is still there.
 */

const PANELS = 'dialog, article, section, main';
// A control still disabled after this long is taken to stay so (nothing left to do).
const STILL_DISABLED_MS = 10_000;

/** Starts watching the document; returns the function that stops it. */
export function keepFocus(doc: Document = document): () => void {
  // The control focus was last on, unless the user has since let go of it.
  let last: HTMLElement | null = null;
  // The panels around it, innermost first.
  let panels: HTMLElement[] = [];
  let waiting: ReturnType<typeof setTimeout> | undefined;

  const forget = () => {
    last = null;
    clearTimeout(waiting);
    waiting = undefined;
  };
  const onFocusIn = (event: FocusEvent) => {
    forget();
    last = event.target instanceof HTMLElement ? event.target : null;
    panels = [];
    for (let p = last?.parentElement?.closest<HTMLElement>(PANELS); p; ) {
      panels.push(p);
      p = p.parentElement?.closest<HTMLElement>(PANELS);
    }
  };
  const adrift = () => doc.activeElement === doc.body && doc.hasFocus();
  const toHeading = () => {
    forget();
    headingOf(panels.find((p) => p.isConnected) ?? null, doc)?.focus();
  };

  const rescue = () => {
    const lost = last;
    if (lost === null || !adrift()) return;
    if (!lost.isConnected) return toHeading();
    if (!isDisabled(lost)) return lost.focus();
    waiting ??= setTimeout(() => {
      waiting = undefined;
      if (last === lost && adrift() && isDisabled(lost)) toHeading();
    }, STILL_DISABLED_MS);
  };
  const observer = new MutationObserver(rescue);

  // The user takes over: a click, a key or a scroll made while focus is on nothing means they
  // have moved on, and a click on nothing focusable lets go of the focused control. Other blurs
  // are judged a task later, once Chrome has settled where focus went: it reports a removal
  // while the control is still attached, and a closing dialog may blur what it gave focus to.
  let pointed = false;
  const onPointerDown = () => {
    pointed = true;
    if (doc.activeElement === doc.body) forget();
  };
  const onKeyDown = () => {
    pointed = false;
    if (doc.activeElement === doc.body) forget();
  };
  const onWheel = () => {
    if (doc.activeElement === doc.body) forget();
  };
  const onFocusOut = (event: FocusEvent) => {
    if (event.relatedTarget === null && pointed) forget();
    pointed = false;
    setTimeout(rescue, 0);
  };

  const listeners = [
    ['focusin', onFocusIn],
    ['focusout', onFocusOut],
    ['pointerdown', onPointerDown],
    ['keydown', onKeyDown],
    ['wheel', onWheel],
  ] as const;
  for (const [type, listener] of listeners) {
    doc.addEventListener(type, listener as EventListener, { capture: true, passive: true });
  }
  observer.observe(doc.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['disabled'],
  });
  return () => {
    forget();
    observer.disconnect();
    for (const [type, listener] of listeners) {
      doc.removeEventListener(type, listener as EventListener, { capture: true });
    }
  };
}

function isDisabled(el: HTMLElement): boolean {
  return el.matches(':disabled');
}

/** The panel's heading, made focusable by script only (not a Tab stop). */
function headingOf(panel: HTMLElement | null, doc: Document): HTMLElement | null {
  const heading =
    panel?.querySelector<HTMLElement>('h1, h2, h3, h4') ??
    doc.querySelector<HTMLElement>('main h1');
  if (heading && !heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  return heading ?? null;
}
