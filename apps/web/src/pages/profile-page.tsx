import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/problem';
import { useMe } from '../api/queries';
import type { User } from '../api/types';
import { useApi } from '../auth/console-context';
import { useSession } from '../auth/session';
import { Field, Loading, PageHeader, ProblemNotice, StatusBadge, SuccessNotice } from '../components/ui';
import { formatDateTime } from '../format';

const NAME_MAX = 200;

export function ProfilePage() {
  const me = useMe();
  const session = useSession();
  return (
    <section>
      <PageHeader title="Profile" description="Your account, as user-service knows it." />
      {me.isPending ? (
        <Loading label="Loading your profile…" />
      ) : me.isError ? (
        me.error instanceof ApiError && me.error.code === 'USER_NOT_FOUND' ? (
          <ProblemNotice
            error={me.error}
            title="Your account is still being set up"
            onRetry={() => void me.refetch()}
          />
        ) : (
          <ProblemNotice error={me.error} onRetry={() => void me.refetch()} />
        )
      ) : (
        <div className="two-columns">
          <div className="card">
            <h2>Account</h2>
            <dl className="facts">
              <dt>Email</dt>
              <dd>{me.data.email}</dd>
              <dt>Name</dt>
              <dd>{me.data.name}</dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={me.data.status} />
              </dd>
              <dt>Groups</dt>
              <dd>{session?.groups.join(', ') || 'none'}</dd>
              <dt>Member since</dt>
              <dd>{formatDateTime(me.data.createdAt)}</dd>
              <dt>Identity (sub)</dt>
              <dd className="mono break">{me.data.sub}</dd>
            </dl>
          </div>
          <NameForm user={me.data} />
        </div>
      )}
    </section>
  );
}

function NameForm({ user }: { user: User }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState(user.name);
  const [error, setError] = useState<string>();
  const save = useMutation({
    mutationFn: (value: string) => api.send<User>('PATCH', `/users/${user.id}`, { body: { name: value } }),
    onSuccess: (updated) => queryClient.setQueryData(['me'], updated),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = name.trim();
    if (!value) return setError('Enter your name.');
    if (value.length > NAME_MAX) return setError(`At most ${NAME_MAX} characters.`);
    setError(undefined);
    save.mutate(value);
  };

  const serverError = save.error instanceof ApiError ? save.error.fieldMessage('name') : undefined;
  return (
    <form className="card form" onSubmit={submit} noValidate>
      <h2>Change your name</h2>
      <Field label="Name" error={error ?? serverError}>
        {(props) => (
          <input
            {...props}
            type="text"
            autoComplete="name"
            value={name}
            maxLength={NAME_MAX + 50}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      {save.isError && !serverError ? (
        <ProblemNotice error={save.error} title="Your name was not saved" />
      ) : null}
      {save.isSuccess ? <SuccessNotice>Saved.</SuccessNotice> : null}
      <div className="button-row">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
