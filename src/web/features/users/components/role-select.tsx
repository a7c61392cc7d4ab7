// A choice of role, each option named as the header shows roles.
import type { Ref, SelectHTMLAttributes } from 'react';
import { ROLES, type Role } from '../../../../contract/auth';
import { inputStyles } from '../../../components/ui/styles';
import { ROLE_LABEL } from '../../../lib/authorization';

interface Props extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> {
  value: Role;
  onChange: (role: Role) => void;
  ref?: Ref<HTMLSelectElement>;
}

export function RoleSelect({ value, onChange, className = '', ref, ...rest }: Props) {
  return (
    <select
      {...rest}
      ref={ref}
      value={value}
      onChange={(e) => {
        const role = ROLES.find((r) => r === e.target.value);
        if (role) onChange(role);
      }}
      className={`${inputStyles} ${className}`}
    >
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABEL[role]}
        </option>
      ))}
    </select>
  );
}
