import { useState } from 'react';
import { useAuth } from 'react-oidc-context';
import { Navigate } from 'react-router';
import { takeSignedOutFlag, useSession, useSignIn } from '../auth/session';
import { Loading, SuccessNotice } from '../components/ui';

export function StartPage() {
  const auth = useAuth();
  const session = useSession();
  const signIn = useSignIn();
  const [signedOut] = useState(takeSignedOutFlag);
  if (auth.isLoading) return <Loading label="Checking your session…" />;
  if (session) return <Navigate to="/products" replace />;
  return (
    <section className="hero">
      {signedOut ? (
        <SuccessNotice>
          {signedOut === 'local'
            ? 'You are signed out of this browser. The sign-in service could not be reached to end the session there too.'
            : 'You are signed out.'}
        </SuccessNotice>
      ) : null}
      <h1>helpline console</h1>
      <p className="lead">
        Browse products, place and follow orders, and — for staff — manage the catalogue, users and API keys.
      </p>
      <button type="button" className="button button-large" onClick={() => void signIn()}>
        Sign in
      </button>
      <p className="muted small">
        You sign in on the helpline sign-in page; this console never sees your password.
      </p>
      <ul className="features" aria-label="What you can do here">
        <li>
          <h2>Shop</h2>
          <p className="muted">Search the catalogue, see what is in stock, and order in one step.</p>
        </li>
        <li>
          <h2>Follow your orders</h2>
          <p className="muted">See each order&rsquo;s status, and cancel one that is confirmed.</p>
        </li>
        <li>
          <h2>Run the shop</h2>
          <p className="muted">Staff edit products and stock; administrators manage users and API keys.</p>
        </li>
      </ul>
    </section>
  );
}
