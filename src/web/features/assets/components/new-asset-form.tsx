// The "New asset" form: name, images and an optional polycount, checked here with the contract's rules, uploaded
// with visible progress; a refusal from the server is shown next to the field it is about, and nothing typed is lost.
import { useId, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { Link, useNavigate } from 'react-router';
import { LIMITS } from '../../../../contract/api';
import { AlertIcon } from '../../../components/ui/icons';
import { useNotifier } from '../../../components/ui/notifications';
import { ProgressBar } from '../../../components/ui/progress-bar';
import { buttonStyles, inputStyles } from '../../../components/ui/styles';
import { ApiError, isUnreachable } from '../../../lib/api-client';
import { useCreateAsset } from '../api/create-asset';
import { usePickedImages } from '../hooks/use-picked-images';
import { fieldOfServerError, imagesProblem, nameProblem, polycountProblem, type NewAssetField } from '../utils/new-asset-rules';
import { ImagePicker } from './image-picker';

type ServerErrors = Partial<Record<NewAssetField, string>>;

export function NewAssetForm() {
  const navigate = useNavigate();
  const notifier = useNotifier();
  const create = useCreateAsset();
  const { images, add, remove } = usePickedImages();
  const [name, setName] = useState('');
  const [polycount, setPolycount] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<ServerErrors>({});
  const [progress, setProgress] = useState(0);

  const nameRef = useRef<HTMLInputElement>(null);
  const imagesRef = useRef<HTMLInputElement>(null);
  const polycountRef = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLDivElement>(null);
  const refs: Record<NewAssetField, RefObject<HTMLElement | null>> = {
    name: nameRef,
    images: imagesRef,
    polycount: polycountRef,
    form: formErrorRef,
  };

  const files = images.map((i) => i.file);
  // Missing values are only reported after a first try; a wrong file is reported as soon as it is added.
  const errors: ServerErrors = {
    name: (submitted ? nameProblem(name) : null) ?? serverErrors.name,
    images: imagesProblem(files, submitted) ?? serverErrors.images,
    polycount: (submitted ? polycountProblem(polycount) : null) ?? serverErrors.polycount,
    form: serverErrors.form,
  };

  const clearServerError = (field: NewAssetField) =>
    setServerErrors((prev) => (prev[field] || prev.form ? { ...prev, [field]: undefined, form: undefined } : prev));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    setSubmitted(true);
    setServerErrors({});
    const firstInvalid = (['name', 'images', 'polycount'] as const).find((field) =>
      field === 'name' ? nameProblem(name) : field === 'images' ? imagesProblem(files, true) : polycountProblem(polycount),
    );
    if (firstInvalid) {
      refs[firstInvalid].current?.focus();
      return;
    }
    setProgress(0);
    create.mutate(
      { input: { name, polycount, images: files }, onProgress: setProgress },
      {
        onSuccess: (asset) => {
          notifier.announce(`Created ${asset.name}. Processing has started.`);
          void navigate('/');
        },
        onError: (error) => {
          const field = error instanceof ApiError ? fieldOfServerError(error) : 'form';
          const message = isUnreachable(error)
            ? 'Could not reach the server. Check the connection and try again; your entries are kept.'
            : error.message;
          setServerErrors({ [field]: message });
          // After the re-render, so the message is there when focus lands.
          setTimeout(() => refs[field].current?.focus(), 0);
        },
      },
    );
  };

  const busy = create.isPending;
  return (
    <form noValidate onSubmit={onSubmit} aria-busy={busy} className="flex flex-col gap-6">
      {errors.form && (
        <div
          ref={formErrorRef}
          tabIndex={-1}
          role="alert"
          className="flex items-start gap-2 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-800 outline-none"
        >
          <AlertIcon className="mt-0.5 size-4 shrink-0" />
          {errors.form}
        </div>
      )}

      <Field label="Name" error={errors.name ?? null}>
        {(props) => (
          <input
            {...props}
            ref={nameRef}
            type="text"
            autoComplete="off"
            value={name}
            disabled={busy}
            placeholder="e.g. Ceramic vase"
            onChange={(e) => {
              setName(e.target.value);
              clearServerError('name');
            }}
            className={inputStyles}
          />
        )}
      </Field>

      <ImagePicker
        images={images}
        error={errors.images ?? null}
        disabled={busy}
        inputRef={imagesRef}
        onAdd={(added) => {
          add(added);
          clearServerError('images');
        }}
        onRemove={(id) => {
          remove(id);
          clearServerError('images');
        }}
      />

      <Field
        label="Polycount"
        optional
        hint={`Triangle target for the optimised mesh, ${LIMITS.polycountMin.toLocaleString('en')}–${LIMITS.polycountMax.toLocaleString('en')}. Leave empty for the default.`}
        error={errors.polycount ?? null}
      >
        {(props) => (
          <input
            {...props}
            ref={polycountRef}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            value={polycount}
            disabled={busy}
            placeholder="e.g. 10000"
            onChange={(e) => {
              setPolycount(e.target.value);
              clearServerError('polycount');
            }}
            className={`${inputStyles} sm:max-w-48`}
          />
        )}
      </Field>

      {busy && (
        <div className="flex flex-col gap-1.5">
          <p className="text-sm text-zinc-700">{progress < 1 ? 'Uploading images…' : 'Checking the images…'}</p>
          <ProgressBar value={progress} label="Upload progress" />
        </div>
      )}

      <div className="flex flex-col-reverse gap-3 border-t border-zinc-200 pt-6 sm:flex-row sm:justify-end">
        <Link to="/" className={buttonStyles.secondary}>
          Cancel
        </Link>
        <button type="submit" disabled={busy} className={buttonStyles.primary}>
          {busy ? 'Creating…' : 'Create asset'}
        </button>
      </div>
    </form>
  );
}

interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

function Field({
  label,
  hint,
  optional = false,
  error,
  children,
}: {
  label: string;
  hint?: string;
  optional?: boolean;
  error: string | null;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium text-zinc-900">
          {label}
        </label>
        {optional && (
          <span className="text-xs text-zinc-600" aria-hidden="true">
            Optional
          </span>
        )}
      </div>
      {hint && (
        <p id={hintId} className="-mt-1 text-sm text-zinc-600">
          {hint}
        </p>
      )}
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error && (
        <p id={errorId} className="flex items-start gap-1.5 text-sm text-red-700">
          <AlertIcon className="mt-0.5 size-4 shrink-0" />
          {error}
        </p>
      )}
    </div>
  );
}
