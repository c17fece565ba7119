import { scimInvalid } from './scim-errors.js';

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
// `attribute eq "value"`, the attribute possibly with a value filter: emails[type eq "work"].value.
const EQ = new RegExp(String.raw`^([A-Za-z][\w.:$-]*?)(\[[^\]]*\])?(\.[A-Za-z]+)?\s+eq\s+(${QUOTED})$`, 'i');
// `members[value eq "id"]`: Entra's test whether a user is a member.
const VALUE_EQ = new RegExp(String.raw`^([A-Za-z][\w.:$-]*)\[\s*value\s+eq\s+(${QUOTED})\s*\]$`, 'i');
const MAX_TERMS = 10;

/** Splits at `and` outside quotes and brackets. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (depth === 0 && /\s/.test(ch ?? '')) {
      const m = /^\s+and\s+/i.exec(text.slice(i));
      if (m) {
        out.push(text.slice(start, i).trim());
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

const unquote = (q: string): string => {
  try {
    return JSON.parse(q) as string;
  } catch {
    throw scimInvalid('invalidFilter', 'A filter value is not a valid string');
  }
};

/**
 * Parses the filters Kontor answers: `eq` comparisons joined by `and` (what Entra sends), on the
 * attributes `names` maps (lower-case paths without core-schema URN, e.g. `emails.value`). Anything
 * else is `invalidFilter`, never silently an unfiltered list.
 */
export function parseFilter<A extends string>(
  text: string,
  names: Readonly<Record<string, A>>,
  coreUrn: string,
): { attribute: A; value: string }[] {
  const parts = terms(text.trim());
  if (parts.length > MAX_TERMS) throw scimInvalid('invalidFilter', `At most ${MAX_TERMS} comparisons`);
  return parts.map((part) => {
    const v = VALUE_EQ.exec(part);
    const m = v ? undefined : EQ.exec(part);
    if (!v?.[2] && !m?.[4]) {
      throw scimInvalid('invalidFilter', `Only eq comparisons joined by and are supported: ${part.slice(0, 100)}`);
    }
    const raw = (v ? v[1] : `${m?.[1]}${m?.[3] ?? ''}`) as string;
    const lower = raw.toLowerCase();
    const path = lower.startsWith(`${coreUrn.toLowerCase()}:`) ? lower.slice(coreUrn.length + 1) : lower;
    const attribute = names[v ? `${path}.value` : path];
    if (!attribute) throw scimInvalid('invalidFilter', `Filtering on ${raw} is not supported`);
    return { attribute, value: unquote((v ? v[2] : m?.[4]) as string) };
  });
}
