import { serve } from './comlink';
import { evaluatePolicy } from '../core/policy';
import type { PolicyWorkerApi } from './policy-api';

const api: PolicyWorkerApi = {
  async evaluateRules(set, report, from, onRule, onResult) {
    return evaluatePolicy({ ...set, rules: set.rules.slice(from) }, report, undefined, {
      onRule: (i) => void onRule(from + i),
      onResult: (i, result) => void onResult(from + i, result)
    }).results;
  }
};

serve(api);
