// "/users": adding people, changing their role, resetting their password, deleting them. Admins only (the server
// checks too); anyone else is told what it needs. Loaded lazily.
import { useCallback, useId, useRef } from 'react';
import { ErrorState } from '../../components/ui/error-state';
import { PageHeading } from '../../components/ui/page-heading';
import { ViewOnlyNote } from '../../components/ui/view-only-note';
import { AddUserForm } from '../../features/users/components/add-user-form';
import { UserTable } from '../../features/users/components/user-table';
import { useUsers } from '../../features/users/api/user-actions';
import { ApiError } from '../../lib/api-client';
import { useCan } from '../../lib/authorization';
import { useSession } from '../../lib/session';

export function UsersRoute() {
  const isAdmin = useCan('admin');
  return (
    <div className="mx-auto flex w-full max-w-5xl flex-col gap-6">
      <title>Users · Asset Forge</title>
      <PageHeading>Users</PageHeading>
      {isAdmin ? <ManageUsers /> : <ViewOnlyNote>Managing users needs the admin role. Ask an admin if you need someone added.</ViewOnlyNote>}
    </div>
  );
}

function ManageUsers() {
  const users = useUsers();
  const currentUserId = useSession().data?.user.id ?? '';
  const listHeadingRef = useRef<HTMLHeadingElement>(null);
  const addId = useId();
  const listId = useId();
  const focusList = useCallback(() => listHeadingRef.current?.focus(), []);
  const forbidden = users.error instanceof ApiError && users.error.status === 403;

  return (
    <>
      <section aria-labelledby={addId} className="flex flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
        <h2 id={addId} className="text-base font-semibold text-zinc-900">
          Add user
        </h2>
        <AddUserForm />
      </section>
      <section aria-labelledby={listId} className="flex flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
        <h2 id={listId} ref={listHeadingRef} tabIndex={-1} className="text-base font-semibold text-zinc-900 outline-none">
          People who can sign in {users.data && <span className="font-normal text-zinc-600">({users.data.length})</span>}
        </h2>
        {users.isPending ? (
          <p role="status" className="text-sm text-zinc-600">
            Loading users…
          </p>
        ) : users.isError ? (
          forbidden ? (
            <ViewOnlyNote>{users.error.message}</ViewOnlyNote>
          ) : (
            <ErrorState title="Couldn't load the users" message={users.error.message} onRetry={() => void users.refetch()} />
          )
        ) : (
          <UserTable users={users.data} currentUserId={currentUserId} focusAfterDelete={focusList} />
        )}
      </section>
    </>
  );
}
