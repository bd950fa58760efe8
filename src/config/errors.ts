/**
 * A bad option passed in code, a bad flag or an unusable environment value (style.md §3,
 * Configuration). By convention the message reads `Configuration: <field> <problem> (actual:
 * <value>)`, with secrets redacted by the caller. One class for every entry point.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
