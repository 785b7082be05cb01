import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { incidentTopic, statsTopic, statusTopic, validateOutgoing } from '../../src/upstream/topics.js';

const doc = fs.readFileSync(new URL('../../docs/upstream.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

describe('docs/upstream.md', () => {
  it('shows a status, a stats and an incident example that the payload validator accepts', () => {
    expect(examples.map((example) => (JSON.parse(example) as { schema: string }).schema)).toEqual(['helpline.status/1', 'helpline.stats/2', 'helpline.incident/1']);
    for (const example of examples) {
      const { schema, site } = JSON.parse(example) as { schema: string; site: string };
      const topic = schema === 'helpline.stats/2' ? statsTopic(site) : schema === 'helpline.incident/1' ? incidentTopic(site) : statusTopic(site);
      expect(() => validateOutgoing(topic, example)).not.toThrow();
    }
  });
});
