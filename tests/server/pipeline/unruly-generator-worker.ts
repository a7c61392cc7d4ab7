// A worker entry for the worker generator's tests: the real built-in generator, except that some revision notes
// make the worker misbehave the ways a real one can (hang in a CPU loop, throw, exit, run out of memory).
import { workerData } from 'node:worker_threads';
import { STEP_KEYS, type StepKey } from '../../../src/contract/asset';
import { createBuiltinGenerator } from '../../../src/server/pipeline/builtin-generator';
import type { Generator, StepFn } from '../../../src/server/pipeline/generator';
import { serveGenerator, type BuiltinSettings } from '../../../src/server/pipeline/worker-generator';

serveGenerator((onUnexpectedError) => {
  const real = createBuiltinGenerator({ ...(workerData as BuiltinSettings), onUnexpectedError });
  const unruly = (step: StepKey): StepFn => async (input) => {
    switch (input.note) {
      case 'hang': {
        input.report(0.5); // tells the test the step has started
        for (;;) Math.sqrt(Math.random());
      }
      case 'uncaught':
        setImmediate(() => {
          throw new Error('a bug outside any step');
        });
        return new Promise(() => undefined);
      case 'exit':
        return process.exit(3);
      case 'out of memory': {
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array<number>(100_000).fill(hoard.length));
      }
      case 'reject':
        throw new Error('a step that throws instead of returning a result');
      default:
        return real[step](input);
    }
  };
  return Object.fromEntries(STEP_KEYS.map((key) => [key, unruly(key)])) as Generator;
});
