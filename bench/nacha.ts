// npm run bench:nacha
//
// Reading and writing a large NACHA file with the library in src/ach/nacha:
// 1. parse+validate: validateNacha on the file's text (reads every record, checks every field,
//    recomputes every control);
// 2. write: writeNacha of the parsed file back to text.
// Target: ≥ 300,000 entries/s each way for a 100,000-entry file (moov-io/ach, the reference Go
// library, publishes about 79,000 entries/s read). The file is PPD batches of 1,000 mixed credits
// and debits, one entry in ten with an addenda 05 (test/fixtures/nacha/generate.ts).
// Baselines measured in the same run, on the same machine state, so the figures travel: JSON.parse
// of the same parsed file as JSON (against parse+validate), JSON.stringify of it (against write),
// and a plain split of the NACHA text into its lines (the floor any reader pays). The ratios say how
// many times the baseline's time the library takes.
// BENCH_ENTRIES (default 100,000) and BENCH_ROUNDS (default 5; the best round is reported, after
// one warm-up round). Figures are worth taking on a quiet machine only: the load average printed
// says how quiet it was. Run with node's --max-semi-space-size=64, as Keel's server runs.
import { cpus, loadavg } from 'node:os'
import { parseNacha, validateNacha, writeNacha } from '../src/ach/nacha/index.js'
import { generatedFile } from '../test/fixtures/nacha/generate.js'

const entriesCount = Number(process.env.BENCH_ENTRIES ?? 100_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)

function conditions(): string {
  const cpu = cpus()
  return `node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

/** Best wall and CPU time of `rounds` runs after a warm-up. */
function measure(work: () => void): { wallMs: number; cpuMs: number } {
  work()
  let wallMs = Infinity, cpuMs = Infinity
  for (let i = 0; i < rounds; i++) {
    const cpu = process.cpuUsage()
    const start = performance.now()
    work()
    wallMs = Math.min(wallMs, performance.now() - start)
    const used = process.cpuUsage(cpu)
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000)
  }
  return { wallMs, cpuMs }
}

const text = writeNacha(generatedFile(entriesCount))
const file = parseNacha(text).file
if (!file) throw new Error('the generated file did not read back')
const check = validateNacha(text)
if (!check.ok || check.summary.entries !== entriesCount) throw new Error(`the generated file is not valid: ${JSON.stringify(check.errors.slice(0, 3))}`)

const read = measure(() => { validateNacha(text) })
let written = ''
const write = measure(() => { written = writeNacha(file) })
if (written !== text) throw new Error('writing the parsed file did not give the same text back')

const json = JSON.stringify(file)
let lines = 0
const split = measure(() => { lines = text.split('\n').length })
if (lines < entriesCount) throw new Error('the line split found fewer lines than entries')
const jsonParse = measure(() => { JSON.parse(json) })
const jsonStringify = measure(() => { JSON.stringify(file) })

const perSecond = (ms: number) => Math.round(entriesCount / (ms / 1000)).toLocaleString('en-US')
const memory = process.memoryUsage()
console.log(`NACHA file: ${entriesCount.toLocaleString('en-US')} entries, ${check.summary.addenda.toLocaleString('en-US')} addenda, ${check.summary.batches} batches, ${mib(text.length)}`)
console.log(`parse+validate: ${perSecond(read.wallMs)} entries/s (${read.wallMs.toFixed(0)} ms wall, ${read.cpuMs.toFixed(0)} ms CPU; best of ${rounds})`)
console.log(`write:          ${perSecond(write.wallMs)} entries/s (${write.wallMs.toFixed(0)} ms wall, ${write.cpuMs.toFixed(0)} ms CPU; best of ${rounds})`)
console.log(`target:         300,000 entries/s each way`)
const ratio = (ms: number, baseMs: number) => `${(ms / baseMs).toFixed(2)}×`
console.log(`baselines (same run, same entries; ratio = library time / baseline time):`)
console.log(`  JSON.parse of the parsed file (${mib(json.length)} of JSON): ${perSecond(jsonParse.wallMs)} entries/s; parse+validate takes ${ratio(read.wallMs, jsonParse.wallMs)}`)
console.log(`  JSON.stringify of it:                        ${perSecond(jsonStringify.wallMs)} entries/s; write takes ${ratio(write.wallMs, jsonStringify.wallMs)}`)
console.log(`  split of the NACHA text into lines:          ${perSecond(split.wallMs)} entries/s; parse+validate takes ${ratio(read.wallMs, split.wallMs)}`)
console.log(`memory: RSS ${mib(memory.rss)}, heap used ${mib(memory.heapUsed)} of ${mib(memory.heapTotal)}`)
console.log(conditions())
