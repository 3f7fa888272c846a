/**
 * `{ ...base, ...fields }`, for objects built per request.
 *
 * Node's V8 (11.3), once a literal's inline cache is warm, gives the copy a literal that opens with
 * a spread starts from a hidden class outside the tree classes are shared through (its map log
 * calls such a class detached), so every property the literal adds after the spread makes a new
 * hidden class, on every evaluation: `{ ...key, now }` run a million times makes a million classes.
 * That costs about seven times the time of a plain literal, the classes live in the old generation
 * until the next full collection, and through them much of what the objects hold outlives the
 * young generation's collections too (measured in docs/ledger.md, "Hidden classes").
 * `Object.assign` onto a fresh literal adds the same properties through shared classes. A literal
 * whose spread is not first (`{ id, ...rest }`), or that only copies (`{ ...row }`), is not affected.
 *
 * `base` must not have an own `__proto__` key, which `Object.assign` would take as the prototype
 * (rows and literals of ours never do; request bodies with one are refused when parsed).
 */
export function withFields<T extends object, F extends object>(base: T, fields: F): Omit<T, keyof F> & F {
  return Object.assign({}, base, fields)
}
