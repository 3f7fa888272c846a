/**
 * `{ ...base, ...fields }`, for objects built per request.
 *
 * Node's V8 (11.3) gives the object of a literal that opens with a spread a hidden class that is
 * not linked into the tree it shares classes through, so every property the literal adds after the
 * spread makes a new hidden class, on every evaluation: `{ ...key, now }` run a million times makes
 * a million classes. That costs about seven times the time of a plain literal, the classes live in
 * the old generation until the next full collection, and through them much of what the objects
 * hold outlives the young generation's collections too (measured in docs/ledger.md, "Hidden
 * classes"). `Object.assign` onto a fresh literal adds the same properties through shared classes.
 * A literal whose spread is not first (`{ id, ...rest }`), or that only copies (`{ ...row }`), is
 * not affected.
 */
export function withFields<T extends object, F extends object>(base: T, fields: F): Omit<T, keyof F> & F {
  return Object.assign({}, base, fields)
}
