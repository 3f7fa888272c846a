// Keel's logger gathers lines to stdout with pino's sonic-boom (`sync: false`, logBufferBytes), and
// sonic-boom as published (4.2.1) measured the whole chunk gathered so far in UTF-8 bytes on every
// line written (Buffer.byteLength of up to maxWrite, 16 KB): 3.4% of all the server executed per
// keyed transfer. Keel installs it with patches/sonic-boom+4.2.1.patch, which measures the chunk only
// when its length in UTF-16 code units, times three, does not already show the line fits. These
// tests check the installed module: a chunk is no longer measured per line, and what reaches the
// file is every line, in order, in chunks of at most maxWrite bytes, multi-byte text included.
import assert from 'node:assert/strict'
import fs, { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import pino from 'pino'
import { logBufferBytes } from '../../src/platform/logger.js'

const dir = mkdtempSync(join(tmpdir(), 'keel-log-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Writes `lines` to a file through the destination Keel's logger makes (pino.destination, a SonicBoom); the string lengths Buffer.byteLength was asked for. */
async function writeThrough(file: string, lines: string[], maxWrite?: number): Promise<number[]> {
  const measured: number[] = []
  const byteLength = Buffer.byteLength
  Buffer.byteLength = ((s: Parameters<typeof byteLength>[0], e?: BufferEncoding) => { if (typeof s === 'string') measured.push(s.length); return byteLength(s, e) }) as typeof byteLength
  const out = pino.destination({ dest: file, sync: false, minLength: logBufferBytes, ...(maxWrite ? { maxWrite } : {}) })
  await new Promise((resolve) => out.once('ready', resolve))
  try {
    for (const line of lines) out.write(line)
  } finally {
    Buffer.byteLength = byteLength
  }
  await new Promise<void>((resolve, reject) => { out.once('close', resolve); out.once('error', reject); out.end() })
  return measured
}

describe('the log destination (sonic-boom, patched)', () => {
  it('measures each line, not the chunk gathered before it', async () => {
    const line = `${JSON.stringify({ level: 30, msg: 'request completed', url: '/v0/transactions/internal_transfer', statusCode: 201 })}\n`
    const lines = Array.from({ length: 200 }, () => line)
    const measured = await writeThrough(join(dir, 'a.log'), lines)
    // Unpatched, every line but the first also measured the chunk before it (up to ~4 KB).
    assert.equal(measured.filter((n) => n > line.length).length, 0, `chunks measured: ${measured.filter((n) => n > line.length).length}`)
    assert.equal(readFileSync(join(dir, 'a.log'), 'utf8'), lines.join(''))
  })

  it('still keeps each write within maxWrite bytes, with text of three- and four-byte characters', async () => {
    const maxWrite = logBufferBytes + 1024
    // 3 bytes a code unit ('€'), 2 ('𝄞', a surrogate pair), 1 (ASCII): every bound the patch relies on.
    const lines = Array.from({ length: 300 }, (_, i) => `${i} ${'€'.repeat(i % 50)}${'𝄞'.repeat(i % 7)}${'x'.repeat(i % 90)}\n`)
    const file = join(dir, 'b.log')
    const writes: number[] = []
    const write = fs.write
    fs.write = ((fd: number, data: string | Buffer, ...rest: unknown[]) => { writes.push(Buffer.byteLength(data)); return (write as (...a: unknown[]) => void)(fd, data, ...rest) }) as typeof fs.write
    try {
      await writeThrough(file, lines, maxWrite)
    } finally {
      fs.write = write
    }
    assert.equal(readFileSync(file, 'utf8'), lines.join(''))
    assert.ok(writes.length > 1 && writes.every((n) => n <= maxWrite), `writes of ${writes.join(', ')} bytes`)
  })
})
