/**
 * Every esbuild bundle the kit ships: one file each, minified and tree-shaken, AWS SDK v3 bundled.
 * The local stage runs these files; the stacks upload them; the Dockerfiles copy them.
 */
export interface BundleSpec {
  name: string;
  entry: string;
  outfile: string;
}

export const BUNDLES: readonly BundleSpec[] = [
  { name: 'turkeys-api (Lambda)', entry: 'handlers/turkeys-api.ts', outfile: 'dist/handlers/turkeys-api/index.mjs' },
  { name: 'apprunner-svc (Express)', entry: 'apprunner-svc/server.ts', outfile: 'dist/apprunner-svc/server.mjs' },
  { name: 'stream-processor (Lambda)', entry: 'handlers/stream-processor.ts', outfile: 'dist/handlers/stream-processor/index.mjs' },
  { name: 'fargate-consumer', entry: 'fargate-consumer/main.ts', outfile: 'dist/fargate-consumer/main.mjs' },
];
