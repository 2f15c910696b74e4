/**
 * The error `action` throws, as `[class name, message]`: one assertion then pins both the kind of
 * a caller mistake (`TypeError`, `RangeError`, ...) and its text.
 * @throws {Error} if `action` returns without throwing.
 */
export function thrownBy(action: () => unknown): [string, string] {
  try {
    action();
  } catch (error) {
    return [(error as Error).constructor.name, (error as Error).message];
  }
  throw new Error('expected an error');
}
