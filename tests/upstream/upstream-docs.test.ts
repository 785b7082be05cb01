import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_KINDS, UPSTREAM_SCHEMA_IDS } from '../../src/upstream/schema-ids.js';
import { upstreamTopic, validateOutgoing } from '../../src/upstream/topics.js';

const doc = fs.readFileSync(new URL('../../docs/upstream.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

describe('docs/upstream.md', () => {
  it('shows an example of every payload the box publishes, each accepted by the payload validator on its topic', () => {
    expect(examples.map((example) => (JSON.parse(example) as { schema: string }).schema)).toEqual(['helpline.status/1', 'helpline.birth/1', 'helpline.stats/2', 'helpline.incident/1', 'helpline.health/1']);
    for (const example of examples) {
      const { schema, site } = JSON.parse(example) as { schema: string; site: string };
      const kind = PUBLISHED_KINDS.find((candidate) => UPSTREAM_SCHEMA_IDS[candidate] === schema);
      expect(kind, schema).toBeDefined();
      expect(() => validateOutgoing(upstreamTopic(site, kind ?? 'status'), example)).not.toThrow();
    }
  });
});
