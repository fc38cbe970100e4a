import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { bytes, msg, str, tag, u8, varint, vint } from '../../../../../tests/unit/protobuf-encode';
import { headFields } from './head-fields';
import { ProtoError, ProtoReader, type ProtoRange } from './wire';

async function collect(data: Uint8Array, limits?: { maxDepth: number; maxFields: number }) {
  const r = new ProtoReader(memorySource(data), limits);
  const out: { field: number; wire: number; value: number; length: number }[] = [];
  for await (const f of r.fields(r.root()))
    out.push({ field: f.field, wire: f.wire, value: f.value, length: f.length });
  return out;
}

/** Walks every message-looking field recursively (as a format walker would). */
async function walkAll(r: ProtoReader, range: ProtoRange): Promise<number> {
  let n = 0;
  for await (const f of r.fields(range)) {
    n++;
    if (f.wire === 2 && f.field === 1) n += await walkAll(r, r.child(f, range));
  }
  return n;
}

describe('ProtoReader', () => {
  it('decodes every wire type it supports', async () => {
    const data = u8(vint(1, 300), [...tag(2, 1), 1, 0, 0, 0, 0, 0, 0, 0], str(3, 'abc'), [
      ...tag(4, 5),
      7,
      0,
      0,
      0
    ]);
    expect(await collect(data)).toEqual([
      { field: 1, wire: 0, value: 300, length: 0 },
      { field: 2, wire: 1, value: 1, length: 0 },
      { field: 3, wire: 2, value: 0, length: 3 },
      { field: 4, wire: 5, value: 7, length: 0 }
    ]);
  });

  it('decodes the largest 10-byte varint and rejects an 11-byte one', async () => {
    const max = u8(vint(1, 2n ** 64n - 1n));
    expect((await collect(max))[0].value).toBeGreaterThan(2 ** 63);
    const eleven = u8(tag(1, 0), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    await expect(collect(eleven)).rejects.toThrow(/longer than 10 bytes/);
  });

  it('rejects a length near 2^64 with the offset of the length', async () => {
    const data = u8(str(1, 'ok'), tag(2, 2), varint(2n ** 64n - 2n), [1, 2, 3]);
    const err = await collect(data).catch((e) => e);
    expect(err).toBeInstanceOf(ProtoError);
    expect(err.offset).toBe(5);
    expect(err.message).toMatch(/claims .* bytes/);
  });

  it('rejects groups, reserved wire types and field 0', async () => {
    await expect(collect(u8(tag(1, 3), tag(1, 4)))).rejects.toThrow(/wire type 3/);
    await expect(collect(u8(tag(1, 6)))).rejects.toThrow(/wire type 6/);
    await expect(collect(u8([0x02, 0x00]))).rejects.toThrow(/field number 0/);
  });

  it('bounds a nested length by its enclosing message, not by the file', async () => {
    // Outer message of 3 bytes whose inner field claims 5: the bytes exist in the file but not in the message.
    const data = u8(
      bytes(1, [...tag(2, 2), 5, 9, 9, 9, 9, 9]).slice(0, 2),
      [...tag(2, 2), 5],
      [9, 9, 9, 9, 9, 9]
    );
    data[1] = 3;
    const r = new ProtoReader(memorySource(data));
    await expect(walkAll(r, r.root())).rejects.toThrow(/claims 5 bytes but its message has 1 left/);
  });

  it('fails with an error, never silently, at every truncation point of a nested message', async () => {
    const full = u8(
      vint(1, 7),
      msg(2, str(1, 'node'), str(2, 'Const'), msg(5, str(1, 'k'), bytes(2, new Array(40).fill(1))))
    );
    for (let cut = 1; cut < full.length; cut++) {
      const r = new ProtoReader(memorySource(full.subarray(0, cut)));
      const outcome = await walkAll(r, r.root()).then(
        () => 'parsed',
        (e) => (e instanceof ProtoError ? 'error' : `crash ${e}`)
      );
      // A cut between top-level fields is a valid shorter message; anywhere else must be an error.
      expect(outcome, `cut at ${cut}`).toBe(cut === 2 ? 'parsed' : 'error');
    }
  });

  it('does not read a large length-delimited payload to skip it', async () => {
    const size = 64 * 1024 * 1024;
    let bytesRead = 0;
    const header = u8(tag(9, 2), varint(size));
    const src = {
      ...memorySource(new Uint8Array(0)),
      name: 'big',
      size: header.length + size + 2,
      async read(offset: number, length: number) {
        const end = Math.min(offset + length, header.length + size + 2);
        bytesRead += end - offset;
        const out = new Uint8Array(end - offset);
        for (let i = offset; i < end; i++) {
          if (i < header.length) out[i - offset] = header[i];
          else if (i >= header.length + size) out[i - offset] = [0x08, 0x05][i - header.length - size];
        }
        return out;
      }
    };
    const r = new ProtoReader(src);
    const fields = [];
    for await (const f of r.fields(r.root())) fields.push(f.field);
    expect(fields).toEqual([9, 1]);
    expect(bytesRead).toBeLessThan(1024 * 1024);
  });

  it('bounds nesting depth and total field count', async () => {
    let nested: number[] = str(2, 'x');
    for (let i = 0; i < 200; i++) nested = msg(1, nested);
    const r = new ProtoReader(memorySource(u8(nested)));
    await expect(walkAll(r, r.root())).rejects.toThrow(/deeper than 100 levels/);

    const many = u8(...new Array(5000).fill(vint(3, 1)));
    await expect(collect(many, { maxDepth: 10, maxFields: 1000 })).rejects.toThrow(
      /more than 1000 protobuf fields/
    );
  });
});

describe('headFields', () => {
  it('accepts a prefix whose last payload continues past the probe, and rejects lengths past the message', () => {
    const data = u8(vint(1, 8), msg(7, str(1, 'abc')));
    expect(headFields(data.subarray(0, 5), 0, 5, data.length)?.map((f) => [f.field, f.whole])).toEqual([
      [1, true],
      [7, false]
    ]);
    expect(headFields(data, 0, data.length, data.length - 1)).toBeUndefined();
    expect(headFields(u8(tag(1, 3)))).toBeUndefined();
  });
});
