/** A programmer error: the request fails with a 500 and a log line. Never used to steer control flow. */
export class AssertionFailed extends Error {}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailed(`assertion failed: ${message}`)
}
