import * as calculator from 'ae-cvss-calculator';

/** The package is a UMD bundle: named exports under Node ESM sit on `default`, bundlers expose both. */
type Module = typeof calculator;
const lib: Module = (calculator as Module & { default?: Module }).default ?? calculator;

export type CvssMethod = 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4';

export interface CvssScore {
  method: CvssMethod;
  vector: string;
  score: number;
}

/** Base score of a CVSS v2, v3.0, v3.1 or v4.0 vector; null when the vector is not well formed. */
export function cvssScore(vector: string): CvssScore | null {
  const v = vector.trim();
  try {
    let method: CvssMethod;
    let score: number | undefined;
    if (v.startsWith('CVSS:4.0/')) {
      method = 'CVSSv4';
      score = new lib.Cvss4P0(v).calculateScores().base;
    } else if (v.startsWith('CVSS:3.1/')) {
      method = 'CVSSv31';
      score = new lib.Cvss3P1(v).calculateScores().base;
    } else if (v.startsWith('CVSS:3.0/')) {
      method = 'CVSSv3';
      score = new lib.Cvss3P0(v).calculateScores().base;
    } else if (/^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(v)) {
      method = 'CVSSv2';
      score = new lib.Cvss2(v.replace(/^\(|\)$/g, '')).calculateScores().base;
    } else {
      return null;
    }
    return typeof score === 'number' && Number.isFinite(score) && score >= 0 && score <= 10
      ? { method, vector: v, score }
      : null;
  } catch {
    return null;
  }
}
