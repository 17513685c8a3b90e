import { type ReactNode, useId, useState } from 'react';
import { describeError } from '../api/problem';
import { useSignIn } from '../auth/session';

/** Codes that only signing in again can cure. */
const SIGN_IN_AGAIN = new Set(['TOKEN_MISSING', 'TOKEN_EXPIRED', 'TOKEN_INVALID']);

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="muted">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

/** An error in words, with its code and the correlation id to quote. */
export function ProblemNotice({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const { message, code, correlationId } = describeError(error);
  const signIn = useSignIn();
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title ?? message}</p>
      {title ? <p>{message}</p> : null}
      {code || correlationId ? (
        <p className="notice-meta">
          {code ? <span>Code {code}</span> : null}
          {correlationId ? (
            <span>
              Reference <code className="correlation-id">{correlationId}</code>
            </span>
          ) : null}
        </p>
      ) : null}
      {code && SIGN_IN_AGAIN.has(code) ? (
        <button
          type="button"
          className="button"
          onClick={() => void signIn(window.location.pathname + window.location.search)}
        >
          Sign in again
        </button>
      ) : onRetry ? (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-success" role="status">
      {children}
    </div>
  );
}

const STATUS_TONES: Record<string, string> = {
  confirmed: 'good',
  active: 'good',
  pending: 'warn',
  cancelled: 'neutral',
  revoked: 'neutral',
  failed: 'bad',
  disabled: 'bad',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${STATUS_TONES[status] ?? 'neutral'}`}>{status}</span>;
}

/** Previous / next over cursor pages. */
export function Pager({
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  busy,
}: {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
}) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="button button-secondary"
        disabled={!hasPrevious || busy}
        onClick={onPrevious}
      >
        Previous
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" className="button button-secondary" disabled={!hasNext || busy} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}

/** A labelled input with its error; the input gets the id. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A button that asks once more before it acts: for what cannot be undone. */
export function ConfirmButton({
  label,
  confirmLabel,
  question,
  onConfirm,
  busy,
}: {
  label: string;
  confirmLabel: string;
  question: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="button button-danger-outline"
        onClick={() => setAsking(true)}
        disabled={busy}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="button button-danger"
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-secondary" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
