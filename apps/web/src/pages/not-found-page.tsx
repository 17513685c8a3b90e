import { Link } from 'react-router';
import { PageHeader } from '../components/ui';

export function NotFoundPage() {
  return (
    <section className="panel panel-narrow">
      <PageHeader title="Page not found" description="There is no page at this address." />
      <Link to="/" className="button">
        Go to the start page
      </Link>
    </section>
  );
}
