// Fixed-position fields: reading them out of a 94-character record, and writing them back.
// Positions are 1-based and inclusive, as the NACHA Rules print them, so each record's code reads
// against its layout table. Reading slices by offset and parses digits by char code: no regular
// expression and no intermediate string per numeric field (the reader's speed budget is ~1 µs a
// record; see docs/nacha.md, "Speed").

import { assert } from '../../platform/assert.js'
import { nachaErrorsMax, type NachaError, type NachaErrorCode, type NachaRecordName, type NachaWarning, type NachaWarningCode, nachaWarningsMax } from './errors.js'

/** Collects errors and warnings up to their limits. */
export class IssueSink {
  readonly errors: NachaError[] = []
  readonly warnings: NachaWarning[] = []
  private full = false
  constructor(private readonly errorsMax = nachaErrorsMax) {}

  error(code: NachaErrorCode, record: NachaRecordName, line: number, field: string, value: string, message: string): void {
    if (this.full) return
    if (this.errors.length >= this.errorsMax) {
      this.full = true
      this.errors.push({ code: 'tooManyErrors', record: 'file', line, field: '', value: String(this.errorsMax), message: `stopped reporting after ${this.errorsMax} errors` })
      return
    }
    this.errors.push({ code, record, line, field, value, message })
  }

  warning(code: NachaWarningCode, record: NachaRecordName, line: number, field: string, value: string, message: string): void {
    if (this.warnings.length < nachaWarningsMax) this.warnings.push({ code, record, line, field, value, message })
  }
}

/** Reads the fields of one record; numeric fields that are not digits are reported and read as NaN. */
export class FieldReader {
  line = ''
  lineNumber = 0
  record: NachaRecordName = 'file'
  constructor(readonly sink: IssueSink) {}

  at(line: string, lineNumber: number, record: NachaRecordName): this {
    this.line = line
    this.lineNumber = lineNumber
    this.record = record
    return this
  }

  /** The field as written, spaces and all. */
  raw(from: number, to: number): string {
    return this.line.slice(from - 1, to)
  }

  /** A left-justified alphanumeric field, its trailing spaces dropped. */
  text(from: number, to: number): string {
    let end = to
    while (end >= from && this.line.charCodeAt(end - 1) === 32) end--
    return end < from ? '' : this.line.slice(from - 1, end)
  }

  /**
   * A right-justified field (immediate destination and origin): its leading spaces dropped. Any
   * trailing spaces stay, so a left-justified value is written back as it was read.
   */
  rightJustified(from: number, to: number): string {
    let start = from
    while (start <= to && this.line.charCodeAt(start - 1) === 32) start++
    return start > to ? '' : this.line.slice(start - 1, to)
  }

  /** A zero-padded number; NaN (and an error) when any character is not a digit. */
  number(from: number, to: number, field: string): number {
    const line = this.line
    let value = 0
    for (let i = from - 1; i < to; i++) {
      const c = line.charCodeAt(i)
      if (c < 48 || c > 57) {
        this.sink.error('notNumeric', this.record, this.lineNumber, field, this.raw(from, to), `${field} must be digits`)
        return NaN
      }
      value = value * 10 + (c - 48)
    }
    if (to - from >= 15 && !Number.isSafeInteger(value)) {
      this.sink.error('invalidValue', this.record, this.lineNumber, field, this.raw(from, to), `${field} exceeds ${Number.MAX_SAFE_INTEGER}`)
      return NaN
    }
    return value
  }

  /** A digits-only identifier kept as text (routing, trace number); reported unless all digits. */
  digits(from: number, to: number, field: string): string {
    const value = this.line.slice(from - 1, to)
    if (!isAllDigits(value)) this.sink.error('notNumeric', this.record, this.lineNumber, field, value, `${field} must be digits`)
    return value
  }

  /** Warns when a reserved field is not blank: the writer blanks it. */
  reserved(from: number, to: number): void {
    for (let i = from - 1; i < to; i++) {
      if (this.line.charCodeAt(i) !== 32) {
        this.sink.warning('reservedNotBlank', this.record, this.lineNumber, `reserved${from}`, this.raw(from, to), `positions ${from}-${to} are reserved and should be blank`)
        return
      }
    }
  }
}

/**
 * Text as an alphanumeric field carries it: upper case, accents dropped (É → E), any other
 * character outside printable ASCII a space, cut to `width` characters (never inside a
 * surrogate pair). What a request gives for a field of the file (a company entry description, a
 * name) is kept in this form, so the answer, the entry read back and the file all show the same.
 */
export function alphanumericField(value: string, width: number): string {
  const ascii = value.toUpperCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^\x20-\x7e]/gu, ' ')
  return ascii.slice(0, width)
}

export function isAllDigits(value: string): boolean {
  if (value.length === 0) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

// Writing. Records are written straight into one byte buffer, pre-filled with spaces, at the
// same 1-based positions the reader uses: no string per field or per record, so writing a
// 100,000-entry file allocates the buffer and the final string only.
//
// A value that does not fit its field is a caller's bug, not a property of the file: asserted,
// never truncated (a cut account number would send money elsewhere).

export class RecordWriter {
  /** Offset of the current record's first byte. */
  private base = 0
  constructor(readonly bytes: Buffer) {}

  /** Starts the record at this byte offset; its 94 bytes are spaces until fields are written. */
  at(offset: number): this {
    this.base = offset
    return this
  }

  /** The record type and, for addenda, the type code: written as they are. */
  literal(from: number, value: string): void {
    const start = this.base + from - 1
    for (let i = 0; i < value.length; i++) this.bytes[start + i] = value.charCodeAt(i)
  }

  /** Left-justified text; the rest of the field stays spaces. */
  alpha(from: number, to: number, value: string, field: string): void {
    const width = to - from + 1
    if (value.length > width) tooLong(field, value, width)
    this.text(this.base + from - 1, value, field)
  }

  /** Right-justified text, space-padded on the left. */
  right(from: number, to: number, value: string, field: string): void {
    const width = to - from + 1
    if (value.length > width) tooLong(field, value, width)
    this.text(this.base + to - value.length, value, field)
  }

  private text(start: number, value: string, field: string): void {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      if (c < 32 || c > 126) assert(false, `${field} "${value}" holds a character outside printable ASCII`)
      this.bytes[start + i] = c
    }
  }

  /** A non-negative integer, zero-padded, written digit by digit from the right. */
  numeric(from: number, to: number, value: number, field: string): void {
    if (!Number.isSafeInteger(value) || value < 0) assert(false, `${field} ${value} is not a non-negative integer`)
    const first = this.base + from - 1
    let rest = value
    for (let i = this.base + to - 1; i >= first; i--) {
      const digit = rest % 10
      this.bytes[i] = 48 + digit
      rest = (rest - digit) / 10
    }
    if (rest !== 0) assert(false, `${field} ${value} does not fit in ${to - from + 1} digits`)
  }
}

// The message is built only on failure: a template literal per field written cost the writer
// more than the writing.
function tooLong(field: string, value: string, width: number): never {
  assert(false, `${field} "${value}" is longer than ${width} characters`)
}
