/**
 * Table and column names that become code or SQL text (generated row readers and encoders, statements the store
 * builds): our own tables' names, checked anyway, so that nothing but a plain identifier ever gets that far.
 */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertPlainName(name: string, what: 'column' | 'table' = 'column'): string {
  if (!PLAIN_NAME.test(name)) throw new Error(`not a ${what} name: ${name}`);
  return name;
}
