// Any other path.
import { Link } from 'react-router';
import { PageHeading } from '../../components/ui/page-heading';
import { buttonStyles } from '../../components/ui/styles';

export function NotFoundRoute() {
  return (
    <div className="flex flex-col items-start gap-4">
      <title>Page not found · Asset Forge</title>
      <PageHeading>Page not found</PageHeading>
      <p className="text-sm text-zinc-600">There is nothing at this address.</p>
      <Link to="/" className={buttonStyles.secondary}>
        Go to assets
      </Link>
    </div>
  );
}
