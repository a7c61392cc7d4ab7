// "/new": the form that creates an asset (editors and up; anyone else is told why there is no form).
import { Link } from 'react-router';
import { BackIcon } from '../../components/ui/icons';
import { PageHeading } from '../../components/ui/page-heading';
import { buttonStyles } from '../../components/ui/styles';
import { ViewOnlyNote } from '../../components/ui/view-only-note';
import { NewAssetForm } from '../../features/assets/components/new-asset-form';
import { useCan } from '../../lib/authorization';

export function NewAssetRoute() {
  const canCreate = useCan('editor');
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-6">
      <title>New asset · Asset Forge</title>
      <Link to="/" className={`${buttonStyles.ghost} -ml-2.5 self-start`}>
        <BackIcon />
        Back to assets
      </Link>
      <div>
        <PageHeading>New asset</PageHeading>
        <p className="mt-1 text-sm text-zinc-600">
          Upload reference images of one object. The first step, High Poly Geometry, starts as soon as they arrive.
        </p>
      </div>
      {canCreate ? (
        <div className="rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6">
          <NewAssetForm />
        </div>
      ) : (
        <ViewOnlyNote>Creating assets needs the editor role. Ask an admin for it.</ViewOnlyNote>
      )}
    </div>
  );
}
