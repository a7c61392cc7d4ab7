// The worker thread behind createWorkerGenerator: the built-in generator, with the settings the pool sent.
import { workerData } from 'node:worker_threads';
import { createBuiltinGenerator } from './builtin-generator';
import { serveGenerator, type BuiltinSettings } from './worker-generator';

const settings = workerData as BuiltinSettings;
serveGenerator((onUnexpectedError) => createBuiltinGenerator({ ...settings, onUnexpectedError }));
