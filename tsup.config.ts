import { defineConfig } from 'tsup';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The build behind the package's dependency shape (README "Install and compatibility"):
 * - `@opentelemetry/api` stays external, a peer: one global API per process, 1.9 (OTel JS 2.x) or
 *   1.10 (3.x), whichever the application has.
 * - The code of every other `@opentelemetry/*` package src/ imports is bundled from the
 *   devDependencies (OTel JS 2.x; tree-shaken: the export result codes in `.`, the OTLP/JSON
 *   serializer in `./receiver`, the OTLP/protobuf exporter in the CLI). Those packages pin their
 *   own `@opentelemetry/api` range to one line, so as dependencies they conflict with the other.
 * - The declarations resolve `@opentelemetry/sdk-trace-base`, `core` and `resources` to
 *   src/otel-sdk-types.ts: the published types need `@opentelemetry/api` alone and fit both lines.
 */
const BUNDLED = /^@opentelemetry\/(?!api$)/;
const SDK_DECLARATIONS = './src/otel-sdk-types.ts';
const LIBRARY_ENTRIES = {
  index: 'src/index.ts',
  'mapping/index': 'src/mapping/index.ts',
  'receiver/index': 'src/receiver/index.ts',
};

/**
 * Dynamic imports inside bundled SDK code (`@opentelemetry/resources`' host id readers, reached
 * through otlp-transformer's metrics half) would each become a chunk of their own although the
 * code that imports them is tree-shaken away. Left external, they vanish with that code; the
 * package test checks that no file in dist/ is unreachable or imports a missing one.
 */
const sdkDynamicImportsStayOut: EsbuildPlugin = {
  name: 'sdk-dynamic-imports-stay-out',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' && /[\\/]node_modules[\\/]@opentelemetry[\\/]/.test(args.importer)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

const shared: Options = {
  noExternal: [BUNDLED],
  esbuildPlugins: [sdkDynamicImportsStayOut],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  // The two builds write into one dist/, which `npm run build` empties first.
  clean: false,
  // Shared chunks: one copy of each module across entries, so a class from `.` is the class from
  // `./receiver` (`instanceof` holds) within ESM and within CommonJS.
  splitting: true,
  treeshake: true,
};

const declarations: Options['dts'] = {
  entry: LIBRARY_ENTRIES,
  compilerOptions: {
    paths: {
      '@opentelemetry/sdk-trace-base': [SDK_DECLARATIONS],
      '@opentelemetry/core': [SDK_DECLARATIONS],
      '@opentelemetry/resources': [SDK_DECLARATIONS],
    },
  },
};

export default defineConfig([
  // ESM: the libraries and the command line (an ES module that loads its commands on demand).
  { ...shared, entry: { ...LIBRARY_ENTRIES, 'cli/main': 'src/cli/main.ts' }, format: ['esm'], dts: declarations },
  // CommonJS: the libraries only; the bin is the ESM one, so no CommonJS chunk of it is shipped.
  { ...shared, entry: LIBRARY_ENTRIES, format: ['cjs'], dts: declarations },
]);
