// "Upload new version": a .glb checked here first (it must start with the bytes "glTF" and fit in 64 MB), then
// uploaded with progress; the server's refusal (wrong type, broken model, too large) is shown next to the input.
import { useId, useRef, useState, type FormEvent } from 'react';
import { LIMITS } from '../../../../contract/api';
import type { Asset } from '../../../../contract/asset';
import { InlineError } from '../../../components/ui/inline-error';
import { ProgressBar } from '../../../components/ui/progress-bar';
import { buttonStyles } from '../../../components/ui/styles';
import { formatBytes } from '../../../lib/format';
import { inlineMessage } from '../../../lib/api-errors';
import { useUploadVersion } from '../api/asset-actions';

/** The first four bytes of every binary glTF file. */
const GLB_MAGIC = [0x67, 0x6c, 0x54, 0x46];

async function readHead(file: File): Promise<Uint8Array> {
  const blob = file.slice(0, 4);
  // Blob.arrayBuffer is everywhere that matters; FileReader covers older engines (and jsdom).
  if (typeof blob.arrayBuffer === 'function') return new Uint8Array(await blob.arrayBuffer());
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsArrayBuffer(blob);
  });
}

export async function glbProblem(file: File): Promise<string | null> {
  if (file.size > LIMITS.modelBytesMax) return `“${file.name}” is ${formatBytes(file.size)}; a model may be at most ${formatBytes(LIMITS.modelBytesMax)}.`;
  const head = await readHead(file);
  if (head.length < 4 || GLB_MAGIC.some((b, i) => head[i] !== b)) {
    return `“${file.name}” is not a GLB model (binary glTF 2.0). Export the model as .glb and choose that file.`;
  }
  return null;
}

interface Props {
  id: string;
  assetId: string;
  onCancel: () => void;
  /** Called with the server's answer once the version is stored. */
  onUploaded: (asset: Asset) => void;
  disabled: boolean;
}

export function UploadVersionForm({ id: formId, assetId, onCancel, onUploaded, disabled }: Props) {
  const upload = useUploadVersion(assetId);
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [progress, setProgress] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  /** The file picked last: a slower check of an earlier pick must not overwrite the verdict on this one. */
  const pickedRef = useRef<File | null>(null);
  const id = useId();
  const message = problem ?? inlineMessage(upload.error);

  const onChange = async (picked: File | null) => {
    upload.reset();
    pickedRef.current = picked;
    setFile(picked);
    setProblem(null);
    const found = picked ? await glbProblem(picked) : null;
    if (pickedRef.current === picked) setProblem(found);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (upload.isPending) return;
    if (!file) {
      setProblem('Choose a .glb file first.');
      inputRef.current?.focus();
      return;
    }
    if (problem) {
      inputRef.current?.focus();
      return;
    }
    setProgress(0);
    upload.mutate(
      { file, onProgress: setProgress },
      {
        onSuccess: (asset) => {
          setFile(null);
          if (inputRef.current) inputRef.current.value = '';
          onUploaded(asset);
        },
        onError: () => inputRef.current?.focus(),
      },
    );
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate className="flex flex-col gap-3 rounded-lg border border-zinc-200 bg-zinc-50 p-4">
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-file`} className="text-sm font-medium text-zinc-900">
          Model file
        </label>
        <p id={`${id}-hint`} className="text-xs text-zinc-600">
          A .glb (binary glTF 2.0), up to {formatBytes(LIMITS.modelBytesMax)}. It becomes the new version of this step, still For Review.
        </p>
        <input
          ref={inputRef}
          id={`${id}-file`}
          type="file"
          accept=".glb,model/gltf-binary"
          disabled={upload.isPending}
          onChange={(e) => void onChange(e.target.files?.[0] ?? null)}
          aria-invalid={message ? true : undefined}
          aria-describedby={`${id}-hint ${id}-error`}
          className="block w-full min-w-0 rounded-lg border border-zinc-300 bg-white text-sm text-zinc-700 file:mr-3 file:border-0 file:border-r file:border-zinc-300 file:bg-zinc-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-zinc-800 hover:file:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 aria-invalid:border-red-500"
        />
        <InlineError id={`${id}-error`} message={message} />
      </div>
      {upload.isPending && <ProgressBar value={progress} label="Upload progress" />}
      <div className="flex flex-wrap gap-2">
        <button type="submit" disabled={upload.isPending || disabled} className={buttonStyles.primary}>
          {upload.isPending ? 'Uploading…' : 'Upload model'}
        </button>
        <button type="button" onClick={onCancel} disabled={upload.isPending} className={buttonStyles.secondary}>
          Cancel
        </button>
      </div>
    </form>
  );
}
