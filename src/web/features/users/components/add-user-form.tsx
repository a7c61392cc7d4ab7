// "Add user": email, name, role and an initial password, checked with the contract's rules first; a refusal (an
// email already in use, say) goes next to its field, and nothing typed is lost.
import { useId, useRef, useState, type FormEvent } from 'react';
import { AUTH_LIMITS, CreateUserSchema, type Role } from '../../../../contract/auth';
import { InlineError } from '../../../components/ui/inline-error';
import { useNotifier } from '../../../components/ui/notifications';
import { buttonStyles } from '../../../components/ui/styles';
import { TextField } from '../../../components/ui/text-field';
import { ApiError, isUnreachable } from '../../../lib/api-client';
import { ROLE_LABEL, roleAllows } from '../../../lib/authorization';
import { useAddUser } from '../api/user-actions';
import { RoleSelect } from './role-select';

type Field = 'email' | 'name' | 'role' | 'password' | 'form';
type Errors = Partial<Record<Field, string>>;
const FIELDS = ['email', 'name', 'role', 'password'] as const;

/**
 * Which field a server refusal is about: a taken email (409), or the field its message names first ("Invalid body:
 * password: …", or "Password must not be the account's email address").
 */
function fieldOf(error: Error): Field {
  if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) return 'form';
  if (error.status === 409) return 'email';
  if (error.status !== 400) return 'form';
  let first: { field: Field; at: number } = { field: 'form', at: Infinity };
  for (const field of FIELDS) {
    const at = error.message.search(new RegExp(`\\b${field}\\b`, 'i'));
    if (at >= 0 && at < first.at) first = { field, at };
  }
  return first.field;
}

export function AddUserForm() {
  const add = useAddUser();
  const notifier = useNotifier();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [added, setAdded] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const roleRef = useRef<HTMLSelectElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const focus = (field: Field) =>
    ({ email: emailRef, name: nameRef, role: roleRef, password: passwordRef, form: null })[field]?.current?.focus();
  const id = useId();

  const clear = (field: Field) => {
    setAdded(null);
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }));
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (add.isPending) return;
    setAdded(null);
    const parsed = CreateUserSchema.safeParse({ email, name, role, password });
    if (!parsed.success) {
      const found: Errors = {};
      for (const issue of parsed.error.issues) {
        const field = FIELDS.find((f) => f === issue.path[0]);
        if (field && !found[field]) found[field] = issue.message;
      }
      setErrors(found);
      const first = FIELDS.find((f) => found[f]);
      if (first) focus(first);
      return;
    }
    setErrors({});
    add.mutate(parsed.data, {
      onSuccess: (user) => {
        setEmail('');
        setName('');
        setPassword('');
        setRole('viewer');
        const text = `Added ${user.name} as ${ROLE_LABEL[user.role].toLowerCase()}.`;
        setAdded(text);
        notifier.announce(text);
      },
      onError: (error) => {
        const field = fieldOf(error);
        setErrors({ [field]: isUnreachable(error) ? 'Could not reach Asset Forge. Nothing was changed; try again.' : error.message });
        focus(field);
      },
    });
  };

  return (
    <form noValidate onSubmit={onSubmit} aria-busy={add.isPending} className="flex flex-col gap-4">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField
          label="Email"
          type="email"
          autoComplete="off"
          inputMode="email"
          autoCapitalize="none"
          spellCheck={false}
          inputRef={emailRef}
          value={email}
          error={errors.email}
          onChange={(e) => {
            setEmail(e.target.value);
            clear('email');
          }}
        />
        <TextField
          label="Name"
          autoComplete="off"
          inputRef={nameRef}
          value={name}
          error={errors.name}
          onChange={(e) => {
            setName(e.target.value);
            clear('name');
          }}
        />
        <div className="flex min-w-0 flex-col gap-1.5">
          <label htmlFor={`${id}-role`} className="text-sm font-medium text-zinc-900">
            Role
          </label>
          <RoleSelect
            id={`${id}-role`}
            ref={roleRef}
            value={role}
            onChange={(r) => {
              setRole(r);
              clear('role');
            }}
            aria-describedby={`${id}-role-hint ${id}-role-error`}
            aria-invalid={errors.role ? true : undefined}
          />
          <p id={`${id}-role-hint`} className="text-xs text-zinc-600">
            {roleAllows(role)}
          </p>
          <InlineError id={`${id}-role-error`} message={errors.role} />
        </div>
        <TextField
          label="Initial password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${AUTH_LIMITS.passwordMin} characters, not their email or name, and not a common password. Give it to them privately; they can change it under Account.`}
          inputRef={passwordRef}
          value={password}
          error={errors.password}
          onChange={(e) => {
            setPassword(e.target.value);
            clear('password');
          }}
        />
      </div>
      <InlineError message={errors.form} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={add.isPending} className={buttonStyles.primary}>
          {add.isPending ? 'Adding…' : 'Add user'}
        </button>
        {added && <p className="text-sm text-emerald-800">{added}</p>}
      </div>
    </form>
  );
}
