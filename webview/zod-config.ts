// Imported first by main.ts: zod must know before any schema is built that the CSP forbids eval (otherwise it probes
// with `new Function`, and the probe is reported as a CSP violation).
import { z } from 'zod';

z.config({ jitless: true });
