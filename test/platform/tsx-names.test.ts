// Keel runs its TypeScript through tsx, which has esbuild transform each module with `keepNames`. That
// option wraps every named function and class as it is made in a call that defines its `name`
// (`__name(fn, "fn")`, an Object.defineProperty): for a named closure made inside a function, on
// every call. tsx transforms module by module and renames nothing, so each function already has the
// name it was written with. Keel installs tsx with patches/tsx+4.23.15.patch, which turns the option
// off. This test loads a module as the server's loader would and counts the definitions of `name`
// that calling one of its functions makes.
import assert from 'node:assert/strict'
import { it } from 'node:test'

it('a named closure made inside a function costs no definition of its name', async () => {
  const define = Object.defineProperty
  let namings = 0
  // The helper esbuild adds to a module keeps Object.defineProperty as it is when the module loads.
  Object.defineProperty = function <T>(target: T, key: PropertyKey, attributes: PropertyDescriptor & ThisType<unknown>): T {
    if (key === 'name' && typeof target === 'function') namings++
    return define(target, key, attributes)
  }
  try {
    const url = new URL(`../fixtures/tsx/named-closures.ts?load=${Date.now()}`, import.meta.url).href
    const { sumOfDoubles } = await import(url) as { sumOfDoubles(values: number[]): number }
    const before = namings
    let total = 0
    for (let i = 0; i < 100; i++) total += sumOfDoubles([1, 2, 3])
    assert.equal(total, 1200)
    assert.equal(namings - before, 0, 'tsx named each closure as it was made: is patches/tsx+4.23.15.patch applied?')
    // The names are the ones written, without the option.
    assert.equal(sumOfDoubles.name, 'sumOfDoubles')
  } finally {
    Object.defineProperty = define
  }
})
