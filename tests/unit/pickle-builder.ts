/** A tiny byte-level pickle writer for tests: every opcode is written explicitly, nothing is inferred. */
export class PickleBuilder {
  private parts: number[] = [];

  raw(...bytes: (number | string)[]): this {
    for (const b of bytes) {
      if (typeof b === 'number') this.parts.push(b);
      else for (const ch of b) this.parts.push(ch.charCodeAt(0));
    }
    return this;
  }
  proto(v: number): this {
    return this.raw(0x80, v);
  }
  global(module: string, name: string): this {
    return this.raw('c', `${module}\n${name}\n`);
  }
  inst(module: string, name: string): this {
    return this.raw('i', `${module}\n${name}\n`);
  }
  shortUnicode(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x8c, b.length, ...b);
  }
  unicode(s: string): this {
    return this.raw('V', `${s}\n`);
  }
  string(s: string): this {
    return this.raw('S', `'${s}'\n`);
  }
  binint1(v: number): this {
    return this.raw('K', v);
  }
  u32(v: number): number[] {
    return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  }
  u64(v: number): number[] {
    return [...this.u32(v >>> 0), ...this.u32(Math.floor(v / 0x100000000))];
  }
  frame(n: number): this {
    return this.raw(0x95, ...this.u64(n));
  }
  op(name: keyof typeof CODES): this {
    return this.raw(CODES[name]);
  }
  get length(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const CODES = {
  MARK: 0x28,
  STOP: 0x2e,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
  NONE: 0x4e,
  REDUCE: 0x52,
  BUILD: 0x62,
  APPEND: 0x61,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  SETITEM: 0x73,
  OBJ: 0x6f,
  NEWOBJ: 0x81,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  BINPERSID: 0x51
} as const;
