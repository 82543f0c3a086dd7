// Worker-thread entry of runner/engine/workers.ts: registers the TypeScript loader in this thread
// (hooks registered in the main thread do not reach workers on Node 20), then runs the slice.
import { register } from 'tsx/esm/api';

register();
await import('./slice-worker-main.ts');
