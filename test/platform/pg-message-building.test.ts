// postgres.js builds each protocol message with a builder of its own (src/bytes.js). As published
// (3.4.9) every message started in a new 256-byte buffer that grew by half again as often as it had
// to, each step a new buffer and a copy of what was written so far: about eight for a ledger batch's
// statement of a few KB, the larger steps each an ArrayBuffer of its own for V8's young-generation
// collector to sweep; then the connection copied each message again as it gathered it. Keel installs
// it with patches/postgres+3.4.9.patch: the builder keeps one buffer from message to message and
// copies each message out at its exact size, and the connection keeps what it is given. These tests
// read the builder as installed.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

interface Builder {
  (): Builder
  Q(): Builder
  str(x: string): Builder
  i32(x: number, at?: number): Builder
  raw(x: Uint8Array): Builder
  end(at?: number): Buffer
  out(): Buffer
  N: string
}
const installed = new URL('../../node_modules/postgres/src/bytes.js', import.meta.url).href
const { default: b } = await import(installed) as { default: Builder }

/** The sizes of every Buffer.allocUnsafe call `run` makes. */
function allocationsDuring<T>(run: () => T): { result: T; sizes: number[] } {
  const sizes: number[] = []
  const allocUnsafe = Buffer.allocUnsafe
  Buffer.allocUnsafe = ((size: number) => { sizes.push(size); return allocUnsafe(size) }) as typeof Buffer.allocUnsafe
  try {
    return { result: run(), sizes }
  } finally {
    Buffer.allocUnsafe = allocUnsafe
  }
}

/** A Query message ('Q', its length, the text and a NUL), as the protocol lays it out. */
function queryMessage(text: string): Buffer {
  const body = Buffer.from(text + '\0', 'utf8')
  const head = Buffer.alloc(5)
  head[0] = 'Q'.charCodeAt(0)
  head.writeUInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

describe('postgres.js message builder, as installed', () => {
  it('builds a message of a few KB in many parts with one allocation, its exact size, once its buffer has grown', () => {
    // As a Bind is built: a parameter at a time (here 80 array literals of 150 bytes).
    const parameter = '{' + 'a'.repeat(148) + '}'
    const build = () => { b().Q(); for (let i = 0; i < 80; i++) b.str(parameter); return b.str(b.N).end() }
    build() // the builder's buffer grows to this size once
    const { result, sizes } = allocationsDuring(build)
    assert.deepEqual(result, queryMessage(parameter.repeat(80)))
    // As published: a buffer for each step of growth from 256 bytes, and a new one after (nine).
    assert.deepEqual(sizes, [result.length])
  })

  it('hands out messages that later messages do not overwrite', () => {
    const first = b().Q().str('select 1' + b.N).end()
    const second = b().Q().str('select 22' + b.N).end()
    const raw = b().Q().raw(Buffer.from('select 333\0')).end()
    assert.deepEqual(first, queryMessage('select 1'))
    assert.deepEqual(second, queryMessage('select 22'))
    assert.deepEqual(raw, queryMessage('select 333'))
  })

  it('copies out two messages built one after the other as one buffer, each with its own length', () => {
    const sync = b().Q().str('sync' + b.N).end()
    b().Q().str('select 1' + b.N)
    b.i32(4 + 'select 1\0'.length, 1)
    const both = b.raw(sync).out()
    assert.deepEqual(both, Buffer.concat([queryMessage('select 1'), queryMessage('sync')]))
  })

  it('builds a message larger than the buffer it keeps, then goes back to a buffer of its first size', () => {
    const big = 'y'.repeat(3 << 20)
    const { result, sizes } = allocationsDuring(() => b().Q().str(big + b.N).end())
    assert.deepEqual(result, queryMessage(big))
    // Grown for it, copied out at its size, and the grown buffer let go for one of 256 bytes.
    assert.deepEqual(sizes.slice(-2), [result.length, 256])
    assert.deepEqual(b().Q().str('select 4' + b.N).end(), queryMessage('select 4'))
  })
})
