import { useConsole } from '../auth/console-context';
import { useSignIn } from '../auth/session';
import { PageHeader } from '../components/ui';

/** The identity provider did not answer: say so plainly, and offer to try again. */
export function IdentityDownPage() {
  const { config, reportIdentityProblem } = useConsole();
  const signIn = useSignIn();
  return (
    <section className="panel panel-narrow">
      <PageHeader title="Sign-in is unavailable" />
      <p>
        The sign-in service is not answering, so you cannot sign in right now. Nothing is lost: try again in a
        moment.
      </p>
      <p className="muted small">
        Identity provider: <code>{new URL(config.oidc.authority).host}</code>
      </p>
      <button
        type="button"
        className="button"
        onClick={() => {
          reportIdentityProblem(null);
          void signIn();
        }}
      >
        Try again
      </button>
    </section>
  );
}
