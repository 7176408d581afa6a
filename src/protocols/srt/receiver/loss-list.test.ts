import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LossList } from './loss-list.js';
import { SEQ_MAX } from '../limits.js';
import { seqAdd, seqOffset } from '../sequence.js';

/** Model: the set of missing offsets from a base that may sit just below the 31-bit wrap. */
test('fuzz: appends, removals and drops agree with a set model, across the sequence wrap', () => {
  fc.assert(fc.property(
    fc.constantFrom(0, SEQ_MAX - 50, 12345),
    fc.array(fc.oneof(
      fc.record({ op: fc.constant('gap' as const), skip: fc.nat(5), len: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ op: fc.constant('remove' as const), at: fc.nat(120) }),
      fc.record({ op: fc.constant('upTo' as const), at: fc.nat(120) }),
      fc.record({ op: fc.constant('range' as const), at: fc.nat(120), len: fc.nat(20) }),
    ), { maxLength: 60 }),
    (base, ops) => {
      const list = new LossList();
      const model = new Set<number>();
      let next = 0; // offset after the last gap
      for (const o of ops) {
        if (o.op === 'gap') {
          const from = next + o.skip;
          list.append(seqAdd(base, from), seqAdd(base, from + o.len - 1));
          for (let k = 0; k < o.len; k++) model.add(from + k);
          next = from + o.len;
        } else if (o.op === 'remove') {
          assert.equal(list.remove(seqAdd(base, o.at)), model.delete(o.at));
        } else if (o.op === 'upTo') {
          const before = model.size;
          for (const m of [...model]) if (m <= o.at) model.delete(m);
          assert.equal(list.removeUpTo(seqAdd(base, o.at)), before - model.size);
        } else {
          const before = model.size;
          for (const m of [...model]) if (m >= o.at && m <= o.at + o.len) model.delete(m);
          assert.equal(list.removeRange(seqAdd(base, o.at), seqAdd(base, o.at + o.len)), before - model.size);
        }
        assert.equal(list.size, model.size);
        const listed: number[] = [];
        for (const r of list.entries()) for (let s = r.from; ; s = seqAdd(s, 1)) {
          listed.push(seqOffset(base, s));
          if (s === r.to) break;
        }
        assert.deepEqual(listed, [...model].sort((a, b) => a - b));
        assert.equal(list.first(), model.size ? seqAdd(base, Math.min(...model)) : null);
      }
    },
  ), { numRuns: 500 });
});
