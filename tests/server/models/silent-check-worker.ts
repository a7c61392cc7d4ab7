// A model-check worker that takes every request and never answers: for the checker's timeout.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => undefined);
