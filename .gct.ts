import { bundledList } from './src/verification/watchlist/current.js'
const list = bundledList()
const g = global.gc as unknown as (o?: object) => void
g(); g()
const time = (f: () => void) => { const t = performance.now(); f(); return performance.now() - t }
const full: number[] = [], minor: number[] = []
for (let i = 0; i < 5; i++) { full.push(time(() => g())); }
for (let i = 0; i < 20; i++) { const junk = Array.from({ length: 20000 }, (_, k) => ({ k })); minor.push(time(() => g({ type: 'minor' }))); void junk }
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(2)
console.log(process.argv[2], 'full gc median', med(full), 'ms; minor gc median', med(minor), 'ms', list.index.size.names)
