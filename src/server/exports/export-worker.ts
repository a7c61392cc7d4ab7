// The worker thread behind createExportPool: converts one stored model at a time for download.
import { exportModel } from '../models/export-model';
import { StepFailure } from '../pipeline/builtin/step-kit';
import { serveExports } from './export-pool';

serveExports(exportModel, (err) => (err instanceof StepFailure ? err.reason : null));
