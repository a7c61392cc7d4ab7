// The page runs under a CSP without 'unsafe-eval'. zod 4 probes `new Function` to compile its parsers and falls
// back when that throws, but the probe is still reported as a CSP violation; jitless skips it. Imported first.
import { z } from 'zod';

z.config({ jitless: true });
