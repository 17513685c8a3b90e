import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useCursorPages, useMe, useUsers } from '../api/queries';
import { USER_STATUSES, type User, type UserStatus } from '../api/types';
import { useApi } from '../auth/console-context';
import { EmptyState, Field, Loading, PageHeader, Pager, ProblemNotice, StatusBadge } from '../components/ui';
import { formatDateTime } from '../format';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function UsersPage() {
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string>();
  const [filter, setFilter] = useState({ email: '', status: '' });
  const pages = useCursorPages(JSON.stringify(filter));
  const users = useUsers(filter, pages.cursor);
  const me = useMe();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = email.trim().toLowerCase();
    if (value && !EMAIL.test(value))
      return setEmailError('Enter a whole email address, such as user@example.com.');
    setEmailError(undefined);
    setFilter((current) => ({ ...current, email: value }));
  };

  return (
    <section>
      <PageHeader
        title="Users"
        description="Everyone with an account. A disabled user can still sign in, but every service refuses them."
      />
      <form className="toolbar toolbar-wrap" onSubmit={submit} noValidate>
        <Field label="Email" error={emailError}>
          {(props) => (
            <input
              {...props}
              type="email"
              placeholder="Exact address"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Status">
          {(props) => (
            <select
              {...props}
              value={filter.status}
              onChange={(e) => setFilter((current) => ({ ...current, status: e.target.value }))}
            >
              <option value="">Any</option>
              {USER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button button-secondary">
          Filter
        </button>
      </form>
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.isError ? (
        <ProblemNotice error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No users match." />
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Users">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <UserRow key={user.id} user={user} isMe={user.id === me.data?.id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.data ? (
        <Pager
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={!!users.data.nextCursor}
          busy={users.isFetching}
          onPrevious={pages.previous}
          onNext={() => users.data?.nextCursor && pages.next(users.data.nextCursor)}
        />
      ) : null}
    </section>
  );
}

function UserRow({ user, isMe }: { user: User; isMe: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const next: UserStatus = user.status === 'active' ? 'disabled' : 'active';
  const change = useMutation({
    mutationFn: () => api.send<User>('PATCH', `/users/${user.id}`, { body: { status: next } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <>
      <tr>
        <td>{user.email}</td>
        <td>{user.name}</td>
        <td>
          <StatusBadge status={user.status} />
        </td>
        <td>{formatDateTime(user.createdAt)}</td>
        <td className="actions">
          {isMe ? (
            <span className="muted small">you</span>
          ) : (
            <button
              type="button"
              className={`button button-small ${next === 'disabled' ? 'button-danger-outline' : 'button-secondary'}`}
              disabled={change.isPending}
              onClick={() => change.mutate()}
              aria-label={`${next === 'disabled' ? 'Disable' : 'Enable'} ${user.email}`}
            >
              {next === 'disabled' ? 'Disable' : 'Enable'}
            </button>
          )}
        </td>
      </tr>
      {change.isError ? (
        <tr>
          <td colSpan={5}>
            <ProblemNotice error={change.error} title={`${user.email} was not changed`} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
