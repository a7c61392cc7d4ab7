// An export worker that fails on purpose for version 2 (whose download names end "-v2"): it runs out of memory for
// an OBJ and crashes for a glTF. Every other export is the real one.
import { serveExports } from '../../../src/server/exports/export-pool';
import { exportModel } from '../../../src/server/models/export-model';
import { StepFailure } from '../../../src/server/pipeline/builtin/step-kit';

serveExports(
  async (glb, format, baseName) => {
    if (baseName.endsWith('-v2') && format === 'obj') {
      const hoard: number[][] = [];
      for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => i * Math.random()));
    }
    if (baseName.endsWith('-v2') && format === 'gltf') {
      setTimeout(() => {
        throw new Error('a crash outside any export');
      });
      return new Promise(() => undefined);
    }
    return exportModel(glb, format, baseName);
  },
  (err) => (err instanceof StepFailure ? err.reason : null),
);
