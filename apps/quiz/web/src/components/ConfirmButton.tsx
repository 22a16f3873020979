import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/index.ts';

interface Props {
  /** The question the dialog asks. */
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  class?: string;
  testId: string;
  /** Shown as the button's tooltip and description when it is disabled (why it is). */
  disabledReason?: string;
  children: ComponentChildren;
}

/**
 * A button for what cannot be undone: it asks first, in a modal `<dialog>` (focus trapped, Escape
 * cancels, focus back on the button afterwards). "Cancel" takes the focus, so a stray Enter does nothing.
 */
export function ConfirmButton({ question, onConfirm, disabled = false, class: className, testId, disabledReason, children }: Props) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (asking && !element.open) element.showModal();
    if (!asking && element.open) element.close();
  }, [asking]);
  const confirm = (): void => {
    setAsking(false);
    onConfirm();
  };
  return (
    <>
      <button class={className} data-testid={testId} disabled={disabled} title={disabled ? disabledReason : undefined} onClick={() => setAsking(true)}>
        {children}
      </button>
      {disabled && disabledReason && <span class="visually-hidden">{disabledReason}</span>}
      <dialog ref={dialog} class="confirm" data-testid={`${testId}-dialog`} onClose={() => setAsking(false)}>
        <p>{question}</p>
        <div class="row wrap">
          <button class="danger" data-testid="confirm-yes" onClick={confirm}>
            {t.host.confirm}
          </button>
          <button data-testid="confirm-cancel" autoFocus onClick={() => setAsking(false)}>
            {t.host.cancel}
          </button>
        </div>
      </dialog>
    </>
  );
}
