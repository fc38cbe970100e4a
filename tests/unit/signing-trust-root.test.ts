import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTrustRootText, publicGoodTrustRoot } from '../../src/lib/core/signing/trust-root';
import { PUBLIC_GOOD_TRUST_SOURCE } from '../../src/lib/generated/public-good-trust';
import { describeShared } from '../shared-fixtures';
import { SIGSTORE, text } from './signing-fixtures';

describe('trusted roots', () => {
  it('summarises the public-good root with its validity dates', () => {
    const { summary } = publicGoodTrustRoot();
    expect(summary).toMatchObject({
      certificateAuthorities: 2,
      tlogs: 2,
      ctlogs: 2,
      timestampAuthorities: 1
    });
    expect(summary.validFrom).toMatch(/^20\d\d-/);
  });
});

describeShared('trusted roots against the recorded Sigstore fixtures', () => {
  it('the shipped public-good root is what @sigstore/tuf seeds give (scripts/trusted-root.mjs --check)', async () => {
    const script = join(import.meta.dirname, '../../scripts/trusted-root.mjs');
    await expect(promisify(execFile)(process.execPath, [script, '--check'])).resolves.toBeDefined();
    // …and byte-identical to the decoded copy recorded beside the fixtures.
    const { createHash } = await import('node:crypto');
    const recorded = createHash('sha256')
      .update(text(join(SIGSTORE, 'sigstore-tuf/trusted_root.json')))
      .digest('hex');
    expect(PUBLIC_GOOD_TRUST_SOURCE.sha256).toBe(recorded);
  });

  it('accepts a ClientTrustConfig and refuses other documents', () => {
    const cfg = parseTrustRootText(
      text(join(SIGSTORE, 'model-transparency/custom_trust_config.json')),
      'custom'
    );
    expect(cfg.root.tlogs.length).toBeGreaterThan(0);
    expect(() => parseTrustRootText('{"mediaType":"application/json"}', 'x')).toThrow(
      /unsupported mediaType/
    );
    expect(() => parseTrustRootText('not json', 'x')).toThrow(/not JSON/);
    const undated = text(
      join(
        SIGSTORE,
        'sigstore-conformance/bundle-verify/trust-root-tlog-missing-validity-start_fail/trusted_root.json'
      )
    );
    expect(() => parseTrustRootText(undated, 'x')).toThrow(/validFor\.start/);
  });
});
