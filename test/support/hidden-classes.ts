// Whether two objects share V8's hidden class (its "map"), for tests of objects built per request:
// a class made per object costs time to make, lives in the old generation until the next full
// collection, and keeps what it reaches alive through young collections (docs/throughput/ledger.md, "Hidden
// classes"). The natives flag is set at run time; only functions compiled after it can use %.
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--allow-natives-syntax')
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean
const fastProperties = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean

/** Whether an object keeps its properties in its hidden class's layout, not in a dictionary of its own. */
export function hasFastProperties(a: object): boolean {
  return fastProperties(a)
}

/** Builds `times` objects with `make` (V8's inline caches settle after the first few) and says whether the last two share a hidden class. */
export function stableHiddenClass(make: (i: number) => object, times = 200): boolean {
  let previous: object | undefined
  let last: object | undefined
  for (let i = 0; i < times; i++) { previous = last; last = make(i) }
  return haveSameMap(previous!, last!)
}
