// A just-created token's secret, shown this once: read-only, selectable, with "Copy", a warning that it will not be
// shown again, and how to use it.
import { useEffect, useRef, useState } from 'react';
import { AlertIcon } from '../../../components/ui/icons';
import { buttonStyles, inputStyles } from '../../../components/ui/styles';

export function NewTokenSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  useEffect(() => {
    // The person's next move is to copy it: put the focus (and a selection) there.
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard access (an insecure origin, a denied permission): leave it selected for Ctrl+C.
      inputRef.current?.focus();
      inputRef.current?.select();
      setCopied('no');
    }
  };

  return (
    <section aria-labelledby="new-token-heading" className="flex flex-col gap-3 rounded-lg border border-amber-300 bg-amber-50 p-4">
      <h3 id="new-token-heading" className="text-sm font-semibold text-zinc-900">
        Token “<span className="break-words">{name}</span>” created
      </h3>
      <p className="flex items-start gap-2 text-sm text-amber-950">
        <AlertIcon className="mt-0.5 size-4 shrink-0" />
        <span>Copy it now: this is the only time it is shown. If it is lost, revoke it and create another.</span>
      </p>
      <div className="flex flex-col gap-1.5">
        <label htmlFor="new-token-secret" className="text-sm font-medium text-zinc-900">
          Token secret
        </label>
        <div className="flex gap-2">
          <input
            ref={inputRef}
            id="new-token-secret"
            type="text"
            readOnly
            value={secret}
            spellCheck={false}
            autoComplete="off"
            onFocus={(e) => e.currentTarget.select()}
            className={`${inputStyles} min-w-0 font-mono text-xs`}
          />
          <button type="button" onClick={() => void copy()} className={`${buttonStyles.secondary} shrink-0`}>
            Copy
          </button>
        </div>
        <p role="status" className="text-xs text-zinc-700 empty:hidden">
          {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Could not copy: the secret is selected, press Ctrl+C (⌘C on a Mac).' : ''}
        </p>
      </div>
      <div className="text-sm text-zinc-700">
        <p>
          Send it with each API request in the <code className="rounded bg-white px-1 py-0.5 font-mono text-xs">Authorization</code> header:
        </p>
        <pre className="mt-1.5 overflow-x-auto rounded-md bg-zinc-900 px-3 py-2 font-mono text-xs text-zinc-100">
          <code>Authorization: Bearer &lt;token&gt;</code>
        </pre>
        <p className="mt-1.5 text-xs text-zinc-600">
          It acts with your role until you revoke it here. Changing your password revokes it too, unless you choose
          to keep your tokens.
        </p>
      </div>
      <button type="button" onClick={onDone} className={`${buttonStyles.primary} self-start`}>
        I have copied it
      </button>
    </section>
  );
}
