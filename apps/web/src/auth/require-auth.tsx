import type { ReactNode } from 'react';
import { useAuth } from 'react-oidc-context';
import { useLocation } from 'react-router';
import { Loading, PageHeader } from '../components/ui';
import { type Group, hasGroup, useSession, useSignIn } from './session';

/** A page for signed-in people (of these groups): otherwise a clear word and a way in. */
export function RequireAuth({ page, groups }: { page: ReactNode; groups?: readonly Group[] }) {
  const auth = useAuth();
  const session = useSession();
  const signIn = useSignIn();
  const location = useLocation();
  if (auth.isLoading) return <Loading label="Checking your session…" />;
  if (!session) {
    const expired = !!auth.user?.expired;
    return (
      <section className="panel panel-narrow">
        <PageHeader
          title={expired ? 'Your session has ended' : 'Sign in to continue'}
          description={
            expired
              ? 'Sign in again to pick up where you left off.'
              : 'You are signed out. Sign in to see this page.'
          }
        />
        <button
          type="button"
          className="button"
          onClick={() => void signIn(location.pathname + location.search)}
        >
          Sign in
        </button>
      </section>
    );
  }
  if (groups && !hasGroup(session, groups)) {
    return (
      <section className="panel panel-narrow">
        <PageHeader
          title="Not available to you"
          description={`This page is for the ${groups.join(' and ')} groups; you are in ${session.groups.join(', ') || 'no group'}.`}
        />
      </section>
    );
  }
  return <>{page}</>;
}
