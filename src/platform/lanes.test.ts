import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inLanes } from './lanes.js'

/** A promise and the function that resolves it. */
const gate = () => {
  let open!: () => void
  const opened = new Promise<void>((r) => { open = r })
  return { opened, open }
}

describe('inLanes', () => {
  it('keeps at most `lanes` items in flight, and the others go on while one is held', async () => {
    const held = gate()
    const started: number[] = []
    let inFlight = 0
    let most = 0
    const done = inLanes([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i)
      inFlight++
      most = Math.max(most, inFlight)
      if (i === 0) await held.opened
      else await Promise.resolve()
      inFlight--
    })
    // Item 0 is held: the other lane takes every other item meanwhile.
    for (let spin = 0; spin < 50 && started.length < 6; spin++) await new Promise((r) => setImmediate(r))
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5])
    held.open()
    await done
    assert.equal(most, 2)
  })

  it('runs one at a time with one lane, in order; a lane whose item fails takes no more, and the failure is reported', async () => {
    const seen: number[] = []
    await assert.rejects(inLanes([1, 2, 3], 1, async (i) => {
      seen.push(i)
      if (i === 2) throw new Error('two')
    }), /two/)
    assert.deepEqual(seen, [1, 2])
    await inLanes([], 4, async () => assert.fail('no item'))
  })
})
