// The floor under a 304, for `npm run bench`: a bare Fastify app with the same security headers as ours, answering
// GET /api/assets with a 304 and nothing else (no sign-in, no query checks, no database). No real server answers
// a poll for less; our 304's CPU per request is read against it. Prints its URL as the real server does.
import Fastify from 'fastify';
import helmet from 'helmet';
import { SERVER_TIME_HEADER } from '../../src/contract/api';
import { SECURITY_HEADERS } from '../../src/server/app';

const securityHeaders = helmet(SECURITY_HEADERS);
const app = Fastify({ logger: { level: 'warn' } });
app.addHook('onRequest', (req, reply, done) => {
  securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined));
});
app.get('/api/assets', (req, reply) => {
  void reply
    .status(304)
    .header('etag', req.headers['if-none-match'] ?? 'W/"floor"')
    .header(SERVER_TIME_HEADER, String(Date.now()))
    .header('cache-control', 'no-cache')
    .send();
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`Asset Forge is running at ${address}/ (the 304 floor)`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
