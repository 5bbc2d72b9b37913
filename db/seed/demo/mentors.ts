import type { AcademicField, Locale, UserRole } from "../../schema/index.ts";
import { type BioContext, closings, fieldSentences, genericSentences, intros, shortBios } from "./bios.ts";
import { adminPeople, emailLocalPart, type Gender, integratorPeople, mentorPeople, type Person, slug } from "./people.ts";
import { locative, type Programme, programmes } from "./universities.ts";

/**
 * The demo data set, computed once and deterministically: no clock, no Math.random. Variety comes
 * from fixed arrays, index arithmetic and a seeded PRNG (mulberry32 over an FNV-1a hash), so every
 * run — and every restart of a demo instance — produces exactly the same rows and profile ids.
 */

export interface DemoUser {
  email: string;
  name: string;
  role: UserRole;
  timeZone: string;
  locale: Locale;
}

export interface DemoProfile {
  id: string;
  university: string | null;
  degree: string | null;
  field: AcademicField | null;
  currentYear: number | null;
  bio: string | null;
  profilePhotoUrl: string | null;
  linkedInUrl: string | null;
  isActive: boolean;
}

export interface DemoMentor {
  user: DemoUser;
  profile: DemoProfile;
}

export const MENTOR_EMAIL_DOMAIN = "demo.thotis.fr";
export const STAFF_EMAIL_DOMAIN = "thotis.fr";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** FNV-1a, 32 bits. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny, good-enough seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function pick<T>(items: readonly T[], rng: () => number): T {
  return items[Math.floor(rng() * items.length)] as T;
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Stable profile id for the n-th demo mentor, shaped like `newId()` (db/ids.ts): "c" followed by 24
 * base-36 characters, derived from the index only, so demo URLs survive a re-seed.
 */
export function demoProfileId(index: number): string {
  const rng = seededRandom(hashString(`thotis-demo-profile:${index}`));
  let id = "c";
  for (let i = 0; i < 24; i++) id += base36[Math.floor(rng() * 36)];
  return id;
}

// ---------------------------------------------------------------------------------------------
// Per-mentor variations (indices into `programmes` / `mentorPeople`)

/** Mentors who paused their profile (complete, but not listed). */
export const INACTIVE_INDICES: readonly number[] = [5, 14, 27, 33, 50, 62];

/** Mentors still onboarding: which parts of the profile are missing. */
const INCOMPLETE: ReadonlyMap<number, readonly ("university" | "degree" | "field" | "currentYear" | "bio")[]> = new Map([
  [11, ["bio"]],
  [22, ["degree", "bio"]],
  [45, ["university", "degree", "field", "currentYear", "bio"]],
  [56, ["field", "currentYear"]],
  [68, ["currentYear", "bio"]],
]);
export const INCOMPLETE_INDICES: readonly number[] = [...INCOMPLETE.keys()];

/** Mentors living abroad (exchange semester, overseas home). Everyone else is in Europe/Paris. */
const TIME_ZONES: ReadonlyMap<number, string> = new Map([
  [3, "Europe/Brussels"],
  [25, "America/Montreal"],
  [40, "America/Montreal"],
  [59, "Indian/Reunion"],
  [70, "Asia/Tokyo"],
]);

/** Mentors who prefer the English interface. */
const ENGLISH_LOCALE: ReadonlySet<number> = new Set([39, 70]);

/** A handful of bios written by hand to hit edge cases (emoji, accents, length close to the limit). */
const HANDWRITTEN_BIOS: ReadonlyMap<number, string> = new Map([
  [
    // Close to the 1000 code point limit while counting more than 1000 UTF-16 units (astral emoji).
    38,
    "Hello 👋 moi c'est Océane ! Je suis en BUT Informatique à l'Université de Montpellier 💻, après un bac spécialités NSI et maths 📐. " +
      "J'ai longtemps hésité entre licence, prépa et BUT 🤔 : j'ai finalement choisi le BUT pour son côté concret, les projets en équipe 👩‍💻👨‍💻 et le stage obligatoire en entreprise 🏢. " +
      "En 1re année on apprend les bases : algorithmique, bases de données, web, réseaux 📊. " +
      "En deuxième année j'ai choisi le parcours « Réalisation d'applications » et je suis passée en alternance dans une PME montpelliéraine 🌞 : trois semaines en entreprise, une semaine à l'IUT. C'est intense, mais je suis payée et j'apprends beaucoup 💸📚. " +
      "Je peux te parler des différences entre BUT, licence et écoles d'ingénieurs, de la recherche d'alternance (CV, lettres, entretiens 🎯), du logement étudiant à Montpellier 🏠 et de la vie à l'IUT 🎉. " +
      "Mon conseil : ne choisis pas une formation pour faire plaisir, choisis-la parce qu'elle te donne envie de te lever le matin ☀️. " +
      "Écris-moi, je réponds vite 🚀✨🎓",
  ],
  [
    // Short and sweet.
    47,
    "Psycho à Nanterre, en master. Je t'aide à préparer ta candidature !",
  ],
  [
    // Accents everywhere, ligatures and French quotation marks.
    30,
    "Œnologie, économie, écologie : j'ai longtemps hésité avant d'intégrer l'EDHEC. Aujourd'hui en Master in Management (majeure Finance), " +
      "je suis ravie d'aider les lycéen·ne·s qui se demandent « est-ce que l'école de commerce, c'est pour moi\u202F? ». " +
      "Spoiler : ça dépend de toi, et c'est justement ce dont on peut parler ensemble. Déménagement à Lille, prêt étudiant, " +
      "choix de majeure, stage à l'étranger (j'ai passé six mois à São Paulo 🇧🇷) : je réponds à tout, sans langue de bois.",
  ],
]);

/** Target bio lengths (code points), cycled over mentors so lengths vary from ~60 to ~1000. */
const BIO_TARGETS: readonly number[] = [60, 260, 430, 640, 170, 820, 990, 350, 720, 120, 540, 900];

// ---------------------------------------------------------------------------------------------
// Builders

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function ordinal(n: number): string {
  return n === 1 ? "1re" : `${n}e`;
}

/**
 * The profile's `currentYear` counts years since the baccalauréat (what the console and the widget show as "Année N"),
 * so the bio says the same year: a master's second year is "5e année", as the profile shows it.
 */
function yearLabel(year: number): string {
  return `${ordinal(year)} année`;
}

function fill(template: string, vars: Record<string, string>, gender: Gender): string {
  return template
    .replace(/\{e\}/g, gender === "f" ? "e" : "")
    .replace(/\{(\w+)\}/g, (match, key: string) => vars[key] ?? match);
}

function buildBio(index: number, person: Person, programme: Programme, year: number, rng: () => number): string {
  const handwritten = HANDWRITTEN_BIOS.get(index);
  if (handwritten) return handwritten;
  const vars = {
    first: person.firstName,
    degree: programme.degree,
    at: locative(programme),
    year: yearLabel(year),
    student: person.gender === "f" ? "Étudiante" : "Étudiant",
  };
  const target = BIO_TARGETS[index % BIO_TARGETS.length] as number;
  if (target <= 80) return fill(shortBios[index % shortBios.length] as string, vars, person.gender);

  const intro = fill(intros[index % intros.length] as string, vars, person.gender);
  const closing = fill(pick(closings, rng), vars, person.gender);
  const context: BioContext = { degree: programme.degree, currentYear: year, entryYear: programme.years[0] };
  const applicable = fieldSentences[programme.field].flatMap((s) =>
    typeof s === "string" ? [s] : s.when(context) ? [s.text] : [],
  );
  const own = shuffled(applicable, rng).map((s) => fill(s, vars, person.gender));
  const general = shuffled(genericSentences, rng).map((s) => fill(s, vars, person.gender));

  // Field sentences first, then general ones; long bios get a paragraph break between the two.
  const parts: string[] = [intro];
  let length = codePoints(intro) + 1 + codePoints(closing);
  const tryAdd = (sentence: string, separator: string) => {
    const extra = codePoints(separator) + codePoints(sentence);
    if (length + extra > target) return false;
    parts.push(separator, sentence);
    length += extra;
    return true;
  };
  const fieldCount = 2 + (index % 3);
  for (const sentence of own.slice(0, fieldCount)) tryAdd(sentence, " ");
  let first = true;
  for (const sentence of general) {
    if (tryAdd(sentence, first && target >= 600 ? "\n\n" : " ")) first = false;
  }
  for (const sentence of own.slice(fieldCount)) tryAdd(sentence, " ");
  parts.push(" ", closing);
  return parts.join("");
}

function buildMentor(index: number): DemoMentor {
  const programme = programmes[index] as Programme;
  const person = mentorPeople[index] as Person;
  const rng = seededRandom(hashString(`thotis-demo-mentor:${index}`));
  const id = demoProfileId(index);

  const [min, max] = programme.years;
  const currentYear = min + ((index * 7 + 3) % (max - min + 1));
  const missing = new Set(INCOMPLETE.get(index) ?? []);

  // No counters here: sessions, ratings and their averages come from the demo history (db/seed/history.ts),
  // replayed through the booking and rating services.
  const bio = buildBio(index, person, programme, currentYear, rng);

  // No photo URLs: the embedded demo must work offline, and an outside picture host would be a privacy leak.
  const profilePhotoUrl = null;
  const linkedInUrl = (index * 7) % 5 < 2 ? `https://www.linkedin.com/in/${slug(person.firstName)}-${slug(person.lastName)}-${id.slice(1, 7)}` : null;

  return {
    user: {
      email: `${emailLocalPart(person)}@${MENTOR_EMAIL_DOMAIN}`,
      name: `${person.firstName} ${person.lastName}`,
      role: "mentor",
      timeZone: TIME_ZONES.get(index) ?? "Europe/Paris",
      locale: ENGLISH_LOCALE.has(index) ? "en" : "fr",
    },
    profile: {
      id,
      university: missing.has("university") ? null : programme.university,
      degree: missing.has("degree") ? null : programme.degree,
      field: missing.has("field") ? null : programme.field,
      currentYear: missing.has("currentYear") ? null : currentYear,
      bio: missing.has("bio") ? null : bio,
      profilePhotoUrl,
      linkedInUrl,
      isActive: !INACTIVE_INDICES.includes(index),
    },
  };
}

if (programmes.length !== mentorPeople.length) {
  throw new Error(`demo seed: ${programmes.length} programmes but ${mentorPeople.length} mentors`);
}

/** The ~72 demo mentors, each with a user account and a student profile. */
export const demoMentors: readonly DemoMentor[] = programmes.map((_, index) => buildMentor(index));

/** Back-office administrators (Thotis staff). */
export const demoAdmins: readonly DemoUser[] = adminPeople.map((person) => ({
  email: `${emailLocalPart(person)}@${STAFF_EMAIL_DOMAIN}`,
  name: `${person.firstName} ${person.lastName}`,
  role: "admin",
  timeZone: "Europe/Paris",
  locale: "fr",
}));

/** Partner staff who embed the widget on their sites. */
export const demoIntegrators: readonly DemoUser[] = integratorPeople.map((person, index) => ({
  email: `${emailLocalPart(person)}@${person.domain}`,
  name: `${person.firstName} ${person.lastName}`,
  role: "integrator",
  timeZone: index === 2 ? "Europe/Brussels" : "Europe/Paris",
  locale: index === 2 ? "en" : "fr",
}));

/** Every demo account: mentors first, then admins and integrators. */
export const demoUsers: readonly DemoUser[] = [...demoMentors.map((m) => m.user), ...demoAdmins, ...demoIntegrators];
