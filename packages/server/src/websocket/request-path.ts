/**
 * The request target's path as `new URL(target, base).pathname` has it, for HTTP routes and
 * WebSocket upgrades alike (one answer for both: `/a/../ws` is `/ws` to each). The plain part
 * before `?` or `#` is it whenever it holds only letters, digits, `_`, `-` and single leading `/`
 * (what clients send); other targets (dot segments, escapes, backslashes, `//host`) pay for a whole URL.
 */
export function pathOf(target: string | undefined): string {
  if (!target) return '/';
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  return /^\/(?!\/)[A-Za-z0-9_\-/]*$/.test(path) ? path : new URL(target, 'http://localhost').pathname;
}
