/**
 * Every way a hostile pickle stream reaches a loader: as a file under any name, as a member of any container
 * (under any member name), compressed the ways joblib compresses, nested, or overlapping another format's
 * header (a polyglot). Each wrapper returns the file a scanner is given.
 */
import { gzipSync, zlibSync } from 'fflate';
import { joblibArray, legacyTorch, lz4Frame, npyObjectHeader, tar, xz, zip } from './archives';
import { concat } from './streams';

export interface Wrapped {
  name: string;
  bytes: Uint8Array;
}

export interface Wrapper {
  name: string;
  wrap(stream: Uint8Array): Wrapped;
  /** The loader reads exactly one pickle from the stream (pickles stacked after it are never unpickled). */
  readsOnePickle?: boolean;
}

const enc = new TextEncoder();
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

const FILE_NAMES = [
  'model.pkl',
  'README.txt',
  'noext',
  'ünïcödé.bin',
  `${'x'.repeat(300)}.dat`,
  'weird\nname'
];
const MEMBER_NAMES = [
  'archive/data.pkl',
  'readme.txt',
  '',
  '../../evil.pkl',
  'dir/',
  'ünï/cödé',
  'a\nb.json'
];

/** torch.save's layout, the stream as the pickle torch.load unpickles. */
function torchZip(stream: Uint8Array, deflate: boolean): Uint8Array {
  return zip(
    [
      { name: 'archive/data.pkl', data: stream },
      { name: 'archive/byteorder', data: enc.encode('little') },
      { name: 'archive/data/0', data: new Uint8Array(16) },
      { name: 'archive/version', data: enc.encode('3\n') }
    ],
    deflate
  );
}

/** A tar whose first header's name field is itself the start of the stream: BINBYTES over the header. */
function tarHeaderPolyglot(stream: Uint8Array): Uint8Array {
  const name = Uint8Array.of(0x42, ...u32(512 - 5));
  return tar([
    { name, data: concat(enc.encode('0'), stream) },
    { name: 'notes.txt', data: enc.encode('hello') }
  ]);
}

export const WRAPPERS: Wrapper[] = [
  ...FILE_NAMES.map((name) => ({
    name: `file named ${JSON.stringify(name)}`,
    wrap: (s: Uint8Array) => ({ name, bytes: s })
  })),
  ...MEMBER_NAMES.map((member) => ({
    name: `zip member ${JSON.stringify(member)}`,
    wrap: (s: Uint8Array) => ({ name: 'bundle.zip', bytes: zip([{ name: member, data: s }]) })
  })),
  {
    name: 'zip, deflated member after a benign one',
    wrap: (s) => ({
      name: 'bundle.zip',
      bytes: zip(
        [
          { name: 'config.json', data: enc.encode('{}') },
          { name: 'weights.bin', data: s }
        ],
        true
      )
    })
  },
  { name: 'PyTorch zip data.pkl (stored)', wrap: (s) => ({ name: 'model.pt', bytes: torchZip(s, false) }) },
  { name: 'PyTorch zip data.pkl (deflated)', wrap: (s) => ({ name: 'model.pt', bytes: torchZip(s, true) }) },
  {
    name: 'PyTorch legacy, fourth pickle',
    wrap: (s) => ({ name: 'model.pt', bytes: legacyTorch(s) }),
    readsOnePickle: true
  },
  {
    name: 'tar member',
    wrap: (s) => ({ name: 'model.tar', bytes: tar([{ name: 'model/weights.pkl', data: s }]) })
  },
  {
    name: 'tar.gz member',
    wrap: (s) => ({ name: 'model.tar.gz', bytes: gzipSync(tar([{ name: 'w.pkl', data: s }]), { mtime: 0 }) })
  },
  { name: 'gzip stream', wrap: (s) => ({ name: 'model.pkl.gz', bytes: gzipSync(s, { mtime: 0 }) }) },
  { name: 'zlib stream (joblib)', wrap: (s) => ({ name: 'model.joblib', bytes: zlibSync(s) }) },
  { name: 'xz stream (joblib)', wrap: (s) => ({ name: 'model.joblib', bytes: xz(s) }) },
  { name: 'LZ4 frame (joblib)', wrap: (s) => ({ name: 'model.joblib', bytes: lz4Frame(s) }) },
  {
    name: 'joblib object array (nested pickle)',
    wrap: (s) => ({
      name: 'model.joblib',
      bytes: joblibArray({ dtype: 'O8', data: s, length: 1, state: false })
    })
  },
  {
    name: 'NumPy object array (.npy)',
    wrap: (s) => ({ name: 'a.npy', bytes: concat(npyObjectHeader(), s) })
  },
  {
    name: 'NumPy object array in an .npz',
    wrap: (s) => ({ name: 'a.npz', bytes: zip([{ name: 'arr_0.npy', data: concat(npyObjectHeader(), s) }]) })
  },
  {
    name: 'zip in tar in gzip',
    wrap: (s) => ({
      name: 'bundle.tar.gz',
      bytes: gzipSync(tar([{ name: 'inner.zip', data: zip([{ name: 'm.bin', data: s }], true) }]), {
        mtime: 0
      })
    })
  },
  {
    name: 'polyglot: the stream, then a zip',
    wrap: (s) => ({
      name: 'model.zip',
      bytes: concat(s, zip([{ name: 'config.json', data: enc.encode('{}') }]))
    })
  },
  {
    name: 'polyglot: a tar header that is also the stream',
    wrap: (s) => ({ name: 'model.tar', bytes: tarHeaderPolyglot(s) })
  },
  {
    name: 'polyglot: a GGUF header that is also the stream',
    // G (BINFLOAT) swallows "GUF", the version and one byte; POP drops the float.
    wrap: (s) => ({
      name: 'model.gguf',
      bytes: concat(enc.encode('GGUF'), Uint8Array.of(3, 0, 0, 0, 0x4e, 0x30), s)
    })
  }
];
