import { ErrorResponse } from 'oidc-client-ts';
import { useEffect } from 'react';
import { useAuth } from 'react-oidc-context';
import { useNavigate } from 'react-router';
import { useConsole } from '../auth/console-context';
import { useSignIn } from '../auth/session';
import { Loading, PageHeader } from '../components/ui';

/** OAuth errors that mean "the provider is not working", rather than "this sign-in went wrong". */
const PROVIDER_DOWN = new Set(['temporarily_unavailable', 'server_error']);

/** Where the provider sends the browser back; react-oidc-context exchanges the code, then on to the page asked for. */
export function CallbackPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const { reportIdentityProblem } = useConsole();
  const error = auth.error;

  useEffect(() => {
    if (auth.isAuthenticated && auth.user) {
      const state = auth.user.state as { returnTo?: string } | undefined;
      const returnTo = state?.returnTo?.startsWith('/') ? state.returnTo : '/products';
      navigate(returnTo, { replace: true });
    }
  }, [auth.isAuthenticated, auth.user, navigate]);

  useEffect(() => {
    if (!error) return;
    const cause = (error as { innerError?: unknown }).innerError ?? error;
    if (!(cause instanceof ErrorResponse) || PROVIDER_DOWN.has(cause.error ?? ''))
      reportIdentityProblem(cause);
  }, [error, reportIdentityProblem]);

  if (error) {
    const cause = (error as { innerError?: unknown }).innerError ?? error;
    const message =
      cause instanceof ErrorResponse
        ? (cause.error_description ?? cause.error ?? 'The sign-in was refused.')
        : 'This sign-in link has expired or was already used.';
    return (
      <section className="panel panel-narrow">
        <PageHeader title="Sign-in did not complete" description={message} />
        <button type="button" className="button" onClick={() => void signIn()}>
          Sign in again
        </button>
      </section>
    );
  }
  if (!auth.isLoading && !auth.isAuthenticated && !auth.activeNavigator) {
    // Here without a code to exchange (a reload, a bookmark): nothing to finish.
    return (
      <section className="panel panel-narrow">
        <PageHeader
          title="Sign-in did not complete"
          description="This sign-in link has expired or was already used."
        />
        <button type="button" className="button" onClick={() => void signIn()}>
          Sign in again
        </button>
      </section>
    );
  }
  return <Loading label="Signing you in…" />;
}
