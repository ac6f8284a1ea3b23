import { describe, expect, it } from 'vitest';
import { ConceptIndex, loadOntology } from './ontology.js';
import { analyseQuestion, lawTopic, type LawName } from './query.js';

const LAWS: LawName[] = [
  { key: 'enwg', abbreviation: 'EnWG', names: ['Energiewirtschaftsgesetz', 'Energy Industry Act'], topics: [] },
  { key: 'eeg', abbreviation: 'EEG 2023', names: ['Erneuerbare-Energien-Gesetz'], topics: [] },
  { key: 'stromnev', abbreviation: 'StromNEV', names: ['Stromnetzentgeltverordnung'], topics: ['Stromnetzentgelt'] },
  {
    key: 'stromstg',
    abbreviation: 'StromStG',
    names: ['Stromsteuergesetz', 'Electricity Tax Act'],
    topics: ['Stromsteuer', 'Electricity Tax'],
  },
];
const concepts = new ConceptIndex(loadOntology());

describe('analyseQuestion', () => {
  it.each([
    ['Was regelt § 14a EnWG?', [{ section: '§ 14a', law: 'enwg' }], ['enwg']],
    ['§ 19 Abs. 2 StromNEV Bandlast', [{ section: '§ 19', law: 'stromnev', absatz: '2' }], ['stromnev']],
    ['Was sagt das EEG in § 51 zu negativen Preisen?', [{ section: '§ 51', law: 'eeg' }], ['eeg']],
    ['section 3 of the Energy Industry Act', [{ section: '§ 3', law: 'enwg' }], ['enwg']],
    ['§ 40 ohne Gesetz', [{ section: '§ 40' }], []],
  ])('%s', (question, sections, laws) => {
    const q = analyseQuestion(question, LAWS, concepts);
    expect(q.sections).toEqual(sections);
    expect(q.laws).toEqual(laws);
    expect(q.rest).not.toMatch(/§/);
  });

  it('boosts a law named by its subject but keeps the word for the search', () => {
    const q = analyseQuestion('Wie hoch ist die Stromsteuer?', LAWS, concepts);
    expect(q.laws).toEqual(['stromstg']);
    expect(q.rest).toContain('Stromsteuer');
  });

  it('finds ontology concepts in German and English questions', () => {
    expect(analyseQuestion('Wie wird der Lastgang gemessen?', LAWS, concepts).concepts).toContain('load-profile');
    expect(analyseQuestion('Which rules apply to heat pumps?', LAWS, concepts).concepts).toContain('heat-pump');
    expect(analyseQuestion('steuerbare Verbrauchseinrichtungen', LAWS, concepts).concepts).toContain('controllable-consumer');
  });
});

describe('lawTopic', () => {
  it.each([
    ['Stromsteuergesetz', 'Stromsteuer'],
    ['Messstellenbetriebsgesetz', 'Messstellenbetrieb'],
    ['Electricity Tax Act', 'Electricity Tax'],
    ['Kraft-Wärme-Kopplungsgesetz', 'Kraft-Wärme-Kopplung'],
    ['EnWG', undefined],
  ])('%s → %s', (name, topic) => expect(lawTopic(name)).toBe(topic));
});
