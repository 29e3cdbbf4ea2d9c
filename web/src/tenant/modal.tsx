/**
 * A modal <dialog>: opened with showModal (so focus moves into it and Escape closes it) and
 * returning focus to what opened it when it closes.
 */
import { type ReactNode, useEffect, useRef } from 'react';

export function Modal(props: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { onClose } = props;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => opener?.focus();
  }, []);

  return (
    <dialog ref={ref} aria-labelledby="tp-modal-title" onClose={onClose}>
      <h2 id="tp-modal-title">{props.title}</h2>
      {props.children}
    </dialog>
  );
}
