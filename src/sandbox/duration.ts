// ISO 8601 durations, as `POST /v0/sandbox/clock/advance {"by": "PT36H"}` takes them: weeks, days,
// hours, minutes and seconds. Years and months have no fixed length, so they are refused.

const pattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/
const unitMs = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000]

/** The duration in milliseconds, or undefined when `text` is not one this parser takes. */
export function durationMs(text: string): number | undefined {
  const m = pattern.exec(text)
  if (!m || text === 'P' || text.endsWith('T')) return undefined
  let ms = 0
  m.slice(1).forEach((part, i) => { if (part !== undefined) ms += Number(part) * unitMs[i] })
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined
}
