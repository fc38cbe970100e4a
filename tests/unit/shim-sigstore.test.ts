import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as shimCrypto from '../../src/lib/shims/crypto';
import * as shimUtil from '../../src/lib/shims/util';
import {
  CONFORMANCE,
  conformanceCases,
  DEFAULT_IDENTITY,
  DEFAULT_ISSUER,
  MODELS,
  optional,
  SIGSTORE,
  text
} from './signing-fixtures';
import { describeShared } from '../shared-fixtures';

// @sigstore/verify loaded twice: as is (Node's crypto/util) and with `crypto`/`util` resolved to the browser
// shims, exactly as the Vite aliases do in the app. Every fixture must get the same answer from both.
const require = createRequire(import.meta.url);
type Lib = { verify: any; bundle: any; specs: any; core: any };
const loader = Module as unknown as {
  _load: (request: string, parent: { filename?: string } | null, isMain: boolean) => unknown;
};

function clearSigstore() {
  for (const k of Object.keys(require.cache))
    if (k.includes(`${'/'}@sigstore${'/'}`)) delete require.cache[k];
}

function load(): Lib {
  return {
    verify: require('@sigstore/verify'),
    bundle: require('@sigstore/bundle'),
    specs: require('@sigstore/protobuf-specs'),
    core: require('@sigstore/core')
  };
}

let shimCalls = 0;
function loadWithShims(): Lib {
  clearSigstore();
  const counted = {
    ...shimCrypto,
    verify: (...args: Parameters<typeof shimCrypto.verify>) => {
      shimCalls++;
      return shimCrypto.verify(...args);
    }
  };
  const original = loader._load;
  loader._load = function (request, parent, isMain) {
    if (parent?.filename?.includes('@sigstore') && (request === 'crypto' || request === 'util')) {
      return request === 'crypto' ? { ...counted, default: counted } : { ...shimUtil, default: shimUtil };
    }
    return original.call(this, request, parent, isMain);
  };
  try {
    return load();
  } finally {
    loader._load = original;
    clearSigstore();
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function run(
  lib: Lib,
  bundlePath: string,
  opts: { artifact?: string; root?: string; key?: string; identity?: string; issuer?: string }
) {
  try {
    const bundle = lib.bundle.bundleFromJSON(JSON.parse(text(bundlePath)));
    const rootJson = JSON.parse(opts.root ?? text(join(SIGSTORE, 'sigstore-tuf/trusted_root.json')));
    const key = opts.key ? lib.core.crypto.createPublicKey(opts.key) : undefined;
    const material = lib.verify.toTrustMaterial(
      lib.specs.TrustedRoot.fromJSON(rootJson),
      key ? () => ({ publicKey: key, validFor: () => true }) : undefined
    );
    const verifier = new lib.verify.Verifier(
      material,
      key ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {}
    );
    const artifact = opts.artifact ? readFileSync(opts.artifact) : undefined;
    verifier.verify(
      lib.verify.toSignedEntity(bundle, artifact),
      key
        ? undefined
        : { subjectAlternativeName: `^${escape(opts.identity!)}$`, extensions: { issuer: opts.issuer } }
    );
    return 'pass';
  } catch (err) {
    return `fail`;
  }
}

const node = load();
const shimmed = loadWithShims();

describe('@sigstore/verify on the browser shims agrees with Node', () => {
  it('loads a separate instance whose crypto is the shim', () => {
    expect(shimmed.core).not.toBe(node.core);
  });
});

describeShared('@sigstore/verify on the browser shims agrees with Node on the recorded bundles', () => {
  it('the 70 conformance cases', () => {
    const differences: string[] = [];
    let passes = 0;
    for (const name of conformanceCases()) {
      const dir = join(CONFORMANCE, name);
      const opts = {
        artifact:
          optional(join(dir, 'artifact')) !== undefined ? join(dir, 'artifact') : join(CONFORMANCE, 'a.txt'),
        root: optional(join(dir, 'trusted_root.json')),
        key: optional(join(dir, 'key.pub')),
        identity: optional(join(dir, 'identity')) ?? DEFAULT_IDENTITY,
        issuer: optional(join(dir, 'issuer')) ?? DEFAULT_ISSUER
      };
      const a = run(node, join(dir, 'bundle.sigstore.json'), opts);
      const b = run(shimmed, join(dir, 'bundle.sigstore.json'), opts);
      if (a === 'pass') passes++;
      if (a !== b) differences.push(`${name}: node ${a}, shim ${b}`);
    }
    expect(differences).toEqual([]);
    expect(passes).toBeGreaterThan(20);
    expect(shimCalls).toBeGreaterThan(100);
  });

  it('the keyless model signatures and the sigstore-js production bundles', () => {
    const cases = [
      ...['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'].map((v) => ({
        path: join(MODELS, `${v}-sigstore/model.sig`),
        identity: 'stefanb@us.ibm.com',
        issuer: 'https://sigstore.verify.ibm.com/oauth2'
      })),
      ...['bundleV01-dsse-with-proof', 'bundleV02-intoto', 'bundleV03-dsse'].map((n) => ({
        path: join(SIGSTORE, `sigstore-js/tests-bundles/${n}.sigstore`),
        identity: 'brian@dehamer.com',
        issuer: 'https://github.com/login/oauth'
      }))
    ];
    for (const c of cases) {
      expect(run(shimmed, c.path, c), c.path).toBe('pass');
      expect(run(node, c.path, c), c.path).toBe('pass');
      expect(run(shimmed, c.path, { ...c, identity: c.identity.slice(0, -1) })).toBe('fail');
    }
  });
});
