/** The package version, also the instrumentation scope version of spans we create. */
export const VERSION = '0.1.0';
