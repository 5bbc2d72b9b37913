import type { Locale } from "../i18n.ts";

const fields = {
  fr: { LAW: "droit", MEDICINE: "médecine", ENGINEERING: "ingénierie", BUSINESS: "commerce et gestion", COMPUTER_SCIENCE: "informatique", PSYCHOLOGY: "psychologie", EDUCATION: "sciences de l'éducation", ARTS: "arts", SCIENCES: "sciences", OTHER: "autres filières" },
  en: { LAW: "law", MEDICINE: "medicine", ENGINEERING: "engineering", BUSINESS: "business", COMPUTER_SCIENCE: "computer science", PSYCHOLOGY: "psychology", EDUCATION: "education", ARTS: "arts", SCIENCES: "sciences", OTHER: "other fields" },
} as Record<Locale, Record<string, string>>;

/** The directory's own words (the booking flow's are in ../i18n.ts). */
const fr = {
  title: (field: string | null, university: string | null) =>
    `Nos mentors${field ? ` en ${fields.fr[field] ?? field}` : ""}${university ? ` – ${university}` : ""}`,
  count: (n: number) => (n === 0 ? "Aucun mentor pour le moment." : n === 1 ? "1 mentor" : `${n} mentors`),
  next: (when: string) => `Prochain créneau : ${when}`,
  noSlot: "Pas de créneau libre pour le moment",
  book: "Réserver un échange",
  bookWith: (name: string) => `Réserver un échange avec ${name}`,
  backToList: "← Retour aux mentors",
  pages: "Pages de la liste des mentors",
  previous: "Précédent",
  nextPage: "Suivant",
  pageOf: (p: number, n: number) => `Page ${p} sur ${n}`,
};
export type DirectoryTexts = typeof fr;
const en: DirectoryTexts = {
  title: (field, university) => `Our ${field ? `${fields.en[field] ?? field} ` : ""}mentors${university ? ` – ${university}` : ""}`,
  count: (n) => (n === 0 ? "No mentor yet." : n === 1 ? "1 mentor" : `${n} mentors`),
  next: (when) => `Next free slot: ${when}`,
  noSlot: "No free slot at the moment",
  book: "Book a chat",
  bookWith: (name) => `Book a chat with ${name}`,
  backToList: "← Back to the mentors",
  pages: "Mentor list pages",
  previous: "Previous",
  nextPage: "Next",
  pageOf: (p, n) => `Page ${p} of ${n}`,
};
export const directoryTexts = (locale: Locale): DirectoryTexts => (locale === "en" ? en : fr);
