/**
 * Walks the groups of an HDF5 file (old-style symbol tables and compact link messages) and yields the
 * datasets whose bytes could hold a pickle: 1-byte integers, strings and opaque data stored compact or
 * contiguous. Keras never unpickles a dataset, but a pickle parked in one is a payload waiting for code
 * that does (h5py + pickle.loads). Bounded: objects, depth, B-tree nodes and bytes read.
 */
import { hdf5Uint as uint, Hdf5Error, type Hdf5RootReader, type HeaderMessage } from './hdf5-attributes';

const MAX_OBJECTS = 10_000;
const MAX_DEPTH = 16;
const MAX_BTREE_NODES = 10_000;

export interface DatasetBytes {
  path: string;
  /** Absolute offset and length of the raw data (contiguous), or the inline bytes (compact). */
  offset: number;
  length: number;
  inline?: Uint8Array;
  kind: 'bytes' | 'text';
}

export interface DatasetWalk {
  candidates: DatasetBytes[];
  /** Datasets or groups that could hold bytes but were not read (chunked/filtered data, dense links). */
  skipped: string[];
}

const NAME_MAX = 256;

export async function walkDatasets(reader: Hdf5RootReader): Promise<DatasetWalk> {
  const out: DatasetWalk = { candidates: [], skipped: [] };
  const seen = new Set<number>();
  const geo = reader.geometry;
  const o = geo.offsetSize;
  const l = geo.lengthSize;
  let btreeNodes = 0;
  let capped = false;

  const visit = async (addr: number, path: string, depth: number): Promise<void> => {
    if (seen.has(addr)) return;
    if (seen.size >= MAX_OBJECTS || depth > MAX_DEPTH) {
      if (!capped) out.skipped.push(`${path} (more than ${MAX_OBJECTS} objects or ${MAX_DEPTH} levels)`);
      capped = true;
      return;
    }
    seen.add(addr);
    const messages = await reader.messages(addr);
    const layout = messages.find((m) => m.type === 0x08);
    if (layout) {
      dataset(messages, layout, path);
      return;
    }
    for (const m of messages) {
      if (m.type === 0x11) {
        for (const [name, child] of await symbolTable(m)) await visit(child, `${path}/${name}`, depth + 1);
      } else if (m.type === 0x06) {
        const link = linkMessage(m);
        if (link) await visit(link.addr, `${path}/${link.name}`, depth + 1);
      } else if (m.type === 0x02 && hasDenseLinks(m)) {
        out.skipped.push(`${path || '/'} (links in dense storage)`);
      }
    }
  };

  const dataset = (messages: HeaderMessage[], layout: HeaderMessage, path: string) => {
    const dt = messages.find((m) => m.type === 0x03)?.data;
    if (!dt) return;
    const cls = dt[0] & 0x0f;
    const size = uint(dt, 4, 4, 0);
    const kind = cls === 3 ? 'text' : cls === 5 || (cls === 0 && size === 1) ? 'bytes' : undefined;
    if (!kind) return;
    const filtered = messages.some((m) => m.type === 0x0b);
    const d = layout.data;
    const version = d[0];
    if (version < 3 || filtered || d[1] === 2) {
      out.skipped.push(`${path} (${filtered ? 'filtered' : d[1] === 2 ? 'chunked' : `layout v${version}`})`);
      return;
    }
    if (d[1] === 0) {
      const length = uint(d, 2, 2, layout.at);
      out.candidates.push({ path, offset: layout.at + 4, length, inline: d.subarray(4, 4 + length), kind });
    } else if (d[1] === 1) {
      const address = d.subarray(2, 2 + o).every((b) => b === 0xff)
        ? -1
        : geo.base + uint(d, 2, o, layout.at);
      const length = uint(d, 2 + o, l, layout.at);
      if (address >= 0 && length > 0) out.candidates.push({ path, offset: address, length, kind });
    }
  };

  const symbolTable = async (m: HeaderMessage): Promise<[string, number][]> => {
    const btree = geo.base + uint(m.data, 0, o, m.at);
    const heap = geo.base + uint(m.data, o, o, m.at);
    const heapHead = await reader.bytesAt(heap, 8 + 2 * l + o, 'local heap');
    if (String.fromCharCode(...heapHead.subarray(0, 4)) !== 'HEAP')
      throw new Hdf5Error('bad local heap', heap);
    const heapData = geo.base + uint(heapHead, 8 + 2 * l, o, heap);
    const heapSize = uint(heapHead, 8, l, heap);
    const entries: [string, number][] = [];
    const nameAt = async (offset: number) => {
      if (offset >= heapSize) throw new Hdf5Error('link name outside the local heap', heap);
      const bytes = await reader.bytesAt(
        heapData + offset,
        Math.min(NAME_MAX, heapSize - offset),
        'link name'
      );
      const end = bytes.indexOf(0);
      return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
    };
    const node = async (addr: number): Promise<void> => {
      if (++btreeNodes > MAX_BTREE_NODES) throw new Hdf5Error('more B-tree nodes than the limit', addr);
      const head = await reader.bytesAt(addr, 8 + 2 * o, 'B-tree node');
      if (String.fromCharCode(...head.subarray(0, 4)) !== 'TREE')
        throw new Hdf5Error('bad B-tree node', addr);
      const used = uint(head, 6, 2, addr);
      const body = await reader.bytesAt(addr + 8 + 2 * o, used * (l + o) + l, 'B-tree entries');
      for (let i = 0; i < used; i++) {
        const child = geo.base + uint(body, l + i * (l + o), o, addr);
        if (head[5] > 0) await node(child);
        else await symbolNode(child);
      }
    };
    const symbolNode = async (addr: number): Promise<void> => {
      const head = await reader.bytesAt(addr, 8, 'symbol table node');
      if (String.fromCharCode(...head.subarray(0, 4)) !== 'SNOD')
        throw new Hdf5Error('bad symbol node', addr);
      const count = uint(head, 6, 2, addr);
      const size = 2 * o + 24;
      const body = await reader.bytesAt(addr + 8, count * size, 'symbol table entries');
      for (let i = 0; i < count && entries.length < MAX_OBJECTS; i++) {
        const name = await nameAt(uint(body, i * size, o, addr));
        entries.push([name, geo.base + uint(body, i * size + o, o, addr)]);
      }
    };
    await node(btree);
    return entries;
  };

  const linkMessage = (m: HeaderMessage): { name: string; addr: number } | undefined => {
    const d = m.data;
    const flags = d[1];
    let p = 2;
    const type = flags & 0x08 ? d[p++] : 0;
    if (flags & 0x04) p += 8;
    if (flags & 0x10) p += 1;
    const width = 1 << (flags & 3);
    const nameLength = uint(d, p, width, m.at);
    p += width;
    const name = new TextDecoder().decode(d.subarray(p, p + Math.min(nameLength, NAME_MAX)));
    p += nameLength;
    if (type !== 0) return undefined; // soft and external links name no object in this file
    return { name, addr: geo.base + uint(d, p, o, m.at) };
  };

  const hasDenseLinks = (m: HeaderMessage): boolean => {
    const p = 2 + (m.data[1] & 1 ? 8 : 0);
    return p + o <= m.data.length && !m.data.subarray(p, p + o).every((b) => b === 0xff);
  };

  await visit(reader.rootAddress, '', 0);
  return out;
}
