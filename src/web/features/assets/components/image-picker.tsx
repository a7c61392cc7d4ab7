// The "Images" field: a drop zone that is also the file picker, previews of what was chosen, and a problem per file.
import { useEffect, useId, useRef, useState, type DragEvent, type RefObject } from 'react';
import { LIMITS } from '../../../../contract/api';
import { AlertIcon, CloseIcon, ImageIcon, UploadIcon } from '../../../components/ui/icons';
import { formatBytes } from '../../../lib/format';
import type { PickedImage } from '../hooks/use-picked-images';
import { fileProblem } from '../utils/new-asset-rules';

export function ImagePicker({
  images,
  error,
  disabled,
  inputRef,
  onAdd,
  onRemove,
}: {
  images: PickedImage[];
  error: string | null;
  disabled: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
  onAdd: (files: Iterable<File>) => void;
  onRemove: (id: number) => void;
}) {
  const id = useId();
  const [dragging, setDragging] = useState(false);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    setDragging(true);
  };
  const onDrop = (e: DragEvent) => {
    // Without this the browser would open the dropped image instead, or replace the input's files.
    e.preventDefault();
    setDragging(false);
    if (!disabled) onAdd(Array.from(e.dataTransfer.files));
  };

  return (
    <div className="flex flex-col gap-2">
      <label htmlFor={id} className="text-sm font-medium text-zinc-900">
        Images
      </label>
      <p id={hintId} className="-mt-1 text-sm text-zinc-600">
        PNG or JPEG, up to {LIMITS.imagesMax} images of {LIMITS.imageBytesMax / 1024 / 1024} MB each. The first image shapes the model, so make it a
        clear front view; a transparent or plain background works best. Other views are kept for reference.
      </p>
      <div
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`relative flex flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-4 py-8 text-center transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600 ${
          dragging ? 'border-indigo-500 bg-indigo-50' : error ? 'border-red-400 bg-white' : 'border-zinc-300 bg-white hover:border-zinc-400'
        }`}
      >
        {/* The real input covers the whole zone, so a click anywhere opens the picker and it keeps one label. */}
        <input
          ref={inputRef}
          id={id}
          type="file"
          multiple
          accept="image/png,image/jpeg"
          disabled={disabled}
          aria-describedby={error ? `${errorId} ${hintId}` : hintId}
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            onAdd(Array.from(e.target.files ?? []));
            // The chosen files now live in the form's state; clearing lets the same file be picked again.
            e.target.value = '';
          }}
          className="absolute inset-0 size-full cursor-pointer opacity-0 disabled:cursor-not-allowed"
        />
        <span className="flex size-10 items-center justify-center rounded-full bg-zinc-100 text-zinc-600">
          <UploadIcon className="size-5" />
        </span>
        <p className="text-sm text-zinc-700">
          <span className="font-semibold text-indigo-700">Choose images</span> or drag and drop them here
        </p>
      </div>
      {error && (
        <p id={errorId} className="flex items-start gap-1.5 text-sm text-red-700">
          <AlertIcon className="mt-0.5 size-4 shrink-0" />
          {error}
        </p>
      )}
      {images.length > 0 && (
        <ul aria-label="Chosen images" className="grid grid-cols-1 gap-2 sm:grid-cols-2">
          {images.map((img) => (
            <PickedFile key={img.id} image={img} disabled={disabled} onRemove={onRemove} />
          ))}
        </ul>
      )}
    </div>
  );
}

function PickedFile({ image, disabled, onRemove }: { image: PickedImage; disabled: boolean; onRemove: (id: number) => void }) {
  const problem = fileProblem(image.file);
  const problemId = useId();
  return (
    <li
      className={`flex items-center gap-3 rounded-lg border p-2 ${problem ? 'border-red-300 bg-red-50/50' : 'border-zinc-200 bg-white'}`}
      aria-describedby={problem ? problemId : undefined}
    >
      {problem ? (
        <span className="flex size-12 shrink-0 items-center justify-center rounded-md bg-red-100 text-red-700">
          <ImageIcon className="size-5" />
        </span>
      ) : (
        <Preview file={image.file} />
      )}
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-zinc-900" title={image.file.name}>
          {image.file.name}
        </p>
        {problem ? (
          <p id={problemId} className="text-xs text-red-700">
            {problem}
          </p>
        ) : (
          <p className="text-xs text-zinc-600">{formatBytes(image.file.size)}</p>
        )}
      </div>
      <button
        type="button"
        disabled={disabled}
        onClick={() => onRemove(image.id)}
        className="rounded-md p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600 disabled:opacity-50"
      >
        <CloseIcon />
        <span className="sr-only">Remove {image.file.name}</span>
      </button>
    </li>
  );
}

function Preview({ file }: { file: File }) {
  const ref = useRef<HTMLImageElement>(null);
  // Created and revoked by the same effect, so no object URL outlives its preview (also under StrictMode's re-runs).
  useEffect(() => {
    const url = URL.createObjectURL(file);
    if (ref.current) ref.current.src = url;
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return <img ref={ref} alt="" className="size-12 shrink-0 rounded-md bg-zinc-100 object-contain" />;
}
