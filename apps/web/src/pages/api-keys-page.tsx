import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/problem';
import { useApiKeys, useCursorPages, useUsagePlans } from '../api/queries';
import type { ApiKey, CreatedApiKey, UsagePlan } from '../api/types';
import { useApi } from '../auth/console-context';
import {
  ConfirmButton,
  EmptyState,
  Field,
  Loading,
  PageHeader,
  Pager,
  ProblemNotice,
  StatusBadge,
} from '../components/ui';
import { formatDateTime } from '../format';

const NAME_MAX = 100;
const PERIODS = { DAY: 'a day', WEEK: 'a week', MONTH: 'a month' } as const;

export function ApiKeysPage() {
  const [created, setCreated] = useState<CreatedApiKey>();
  return (
    <section>
      <PageHeader
        title="API keys"
        description="Keys for partners calling the API through the gateway (x-api-key). Each is bound to a usage plan."
      />
      <div className="two-columns">
        <CreateKeyForm onCreated={setCreated} />
        {created ? <NewKey apiKey={created} onDismiss={() => setCreated(undefined)} /> : <PlansSummary />}
      </div>
      <KeyList />
      {created ? (
        <div className="section">
          <PlansSummary />
        </div>
      ) : null}
    </section>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const plans = useUsagePlans();
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('');
  const [errors, setErrors] = useState<{ name?: string; plan?: string }>({});
  const planNames = Object.keys(plans.data?.plans ?? {});
  const chosenPlan = plan || planNames[0] || '';
  const create = useMutation({
    mutationFn: (input: { name: string; plan: string }) =>
      api.send<CreatedApiKey>('POST', '/admin/api-keys', { body: input }),
    onSuccess: (key) => {
      setName('');
      onCreated(key);
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = name.trim();
    const found: typeof errors = {};
    if (!value) found.name = 'Enter who the key is for.';
    else if (value.length > NAME_MAX) found.name = `At most ${NAME_MAX} characters.`;
    if (!chosenPlan) found.plan = 'Choose a usage plan.';
    setErrors(found);
    if (Object.keys(found).length === 0) create.mutate({ name: value, plan: chosenPlan });
  };
  const serverField = (field: string) =>
    create.error instanceof ApiError ? create.error.fieldMessage(field) : undefined;

  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Create an API key">
      <h2>Create an API key</h2>
      <Field label="Name" hint="Who or what the key is for" error={errors.name ?? serverField('name')}>
        {(props) => (
          <input
            {...props}
            type="text"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Usage plan"
        error={
          errors.plan ?? serverField('plan') ?? (plans.isError ? 'The plans could not be loaded.' : undefined)
        }
      >
        {(props) => (
          <select
            {...props}
            value={chosenPlan}
            onChange={(e) => setPlan(e.target.value)}
            disabled={plans.isPending}
          >
            {planNames.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
      </Field>
      {create.isError && !serverField('name') && !serverField('plan') ? (
        <ProblemNotice error={create.error} title="The key was not created" />
      ) : null}
      <div className="button-row">
        <button type="submit" className="button" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function NewKey({ apiKey, onDismiss }: { apiKey: CreatedApiKey; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card new-key" role="status">
      <h2>Key for {apiKey.name}</h2>
      <p>Copy it now: it is shown this once, and only its hash is kept.</p>
      <code className="secret" data-testid="new-api-key">
        {apiKey.key}
      </code>
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(apiKey.key).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy key'}
        </button>
        <button type="button" className="button button-secondary" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}

function KeyList() {
  const pages = useCursorPages('keys');
  const keys = useApiKeys(pages.cursor);
  return (
    <div className="section">
      <h2>Keys</h2>
      {keys.isPending ? (
        <Loading label="Loading API keys…" />
      ) : keys.isError ? (
        <ProblemNotice error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <EmptyState title="No API keys yet.">
          <p>Create one above for each partner that calls the API.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="API keys">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Plan</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">Usage so far</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <KeyRow key={key.id} apiKey={key} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {keys.data ? (
        <Pager
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={!!keys.data.nextCursor}
          busy={keys.isFetching}
          onPrevious={pages.previous}
          onNext={() => keys.data?.nextCursor && pages.next(keys.data.nextCursor)}
        />
      ) : null}
    </div>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api.send<ApiKey>('DELETE', `/admin/api-keys/${apiKey.id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const usage = apiKey.usage;
  return (
    <>
      <tr>
        <td>{apiKey.name}</td>
        <td>{apiKey.plan}</td>
        <td className="mono">{apiKey.prefix}…</td>
        <td>{formatDateTime(apiKey.createdAt)}</td>
        <td>
          <StatusBadge status={apiKey.revokedAt ? 'revoked' : 'active'} />
        </td>
        <td>
          {usage ? (
            <span title={`resets ${formatDateTime(usage.resetsAt)}`}>
              {usage.used.toLocaleString('en')} of {usage.limit.toLocaleString('en')}
            </span>
          ) : (
            <span className="muted">no quota</span>
          )}
        </td>
        <td className="actions">
          {apiKey.revokedAt ? null : (
            <ConfirmButton
              label="Revoke"
              question={`Revoke ${apiKey.name}?`}
              confirmLabel="Yes, revoke"
              busy={revoke.isPending}
              onConfirm={() => revoke.mutate()}
            />
          )}
        </td>
      </tr>
      {revoke.isError ? (
        <tr>
          <td colSpan={7}>
            <ProblemNotice error={revoke.error} title="The key was not revoked" />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function describePlan(plan: UsagePlan): string {
  const parts: string[] = [];
  if (plan.throttle) parts.push(`${plan.throttle.rateLimit}/s, bursts of ${plan.throttle.burstLimit}`);
  if (plan.quota)
    parts.push(`${plan.quota.limit.toLocaleString('en')} requests ${PERIODS[plan.quota.period]}`);
  return parts.join(' · ') || 'unlimited';
}

function PlansSummary() {
  const plans = useUsagePlans();
  return (
    <div className="card">
      <h2>Usage plans</h2>
      {plans.isPending ? (
        <Loading label="Loading usage plans…" />
      ) : plans.isError ? (
        <ProblemNotice error={plans.error} onRetry={() => void plans.refetch()} />
      ) : (
        <dl className="plans">
          {Object.entries(plans.data.plans).map(([name, plan]) => (
            <div key={name} className="plan">
              <dt>{name}</dt>
              <dd>
                {plan.description ? <span>{plan.description}. </span> : null}
                <span className="muted">{describePlan(plan)}</span>
              </dd>
            </div>
          ))}
          {Object.entries(plans.data.keyless ?? {}).map(([name, plan]) => (
            <div key={name} className="plan">
              <dt>
                without a key ({name === 'perUser' ? 'per user' : name === 'perIp' ? 'per address' : name})
              </dt>
              <dd className="muted">{describePlan(plan)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
