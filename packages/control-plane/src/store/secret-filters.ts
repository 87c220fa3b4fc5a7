// ListSecrets' Filters as SQL conditions: the values of one filter are alternatives,
// filters together must all hold; a value starting with '!' negates its match. Name,
// tag keys and tag values match by case-sensitive prefix, description by prefix
// ignoring case, `all` by any of them, as Secrets Manager documents.
export type FilterKey = "name" | "description" | "tag-key" | "tag-value" | "all";

export interface SecretFilter {
  key: FilterKey;
  values: string[];
}

const TAG_KEY = (p: string) =>
  `EXISTS (SELECT 1 FROM jsonb_array_elements(s.tags) t WHERE starts_with(t->>'Key', ${p}))`;
const TAG_VALUE = (p: string) =>
  `EXISTS (SELECT 1 FROM jsonb_array_elements(s.tags) t WHERE starts_with(t->>'Value', ${p}))`;
const NAME = (p: string) => `starts_with(s.name, ${p})`;
const DESCRIPTION = (p: string) => `starts_with(lower(coalesce(s.description, '')), lower(${p}))`;

const MATCHERS: Record<FilterKey, (p: string) => string> = {
  name: NAME,
  description: DESCRIPTION,
  "tag-key": TAG_KEY,
  "tag-value": TAG_VALUE,
  all: (p) => `(${[NAME, DESCRIPTION, TAG_KEY, TAG_VALUE].map((m) => m(p)).join(" OR ")})`,
};

/** Conditions over `secrets s` and their values, numbered from `$first`. */
export function listWhere(filters: SecretFilter[], first: number): { conditions: string[]; values: string[] } {
  const values: string[] = [];
  const conditions = filters.map((f) => {
    const alternatives = f.values.map((raw) => {
      const negated = raw.startsWith("!");
      values.push(negated ? raw.slice(1) : raw);
      const match = MATCHERS[f.key](`$${first + values.length - 1}`);
      return negated ? `NOT ${match}` : match;
    });
    return `(${alternatives.join(" OR ")})`;
  });
  return { conditions, values };
}
