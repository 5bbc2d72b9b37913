/** Grammatical gender used to agree adjectives in French bios ("passionné" / "passionnée"). */
export type Gender = "f" | "m";

export interface Person {
  firstName: string;
  lastName: string;
  gender: Gender;
}

const p = (firstName: string, lastName: string, gender: Gender): Person => ({ firstName, lastName, gender });

/**
 * Demo mentors, in the same order as `programmes` (one person per programme). Names reflect the
 * variety of French student populations: accents, hyphenated first names, particles, apostrophes.
 */
export const mentorPeople: readonly Person[] = [
  // LAW
  p("Léa", "Martin", "f"),
  p("Hugo", "Bernard", "m"),
  p("Chloé", "Dubois", "f"),
  p("Yanis", "Benali", "m"),
  p("Camille", "Lefèvre", "f"),
  p("Mathis", "Roux", "m"),
  p("Inès", "Haddad", "f"),
  p("Théo", "Fournier", "m"),
  // MEDICINE
  p("Manon", "Girard", "f"),
  p("Lucas", "Morel", "m"),
  p("Sarah", "Cohen", "f"),
  p("Mamadou", "Diallo", "m"),
  p("Anaïs", "Garnier", "f"),
  p("Nathan", "Faure", "m"),
  p("Zoé", "Rousseau", "f"),
  p("Romain", "Blanc", "m"),
  // ENGINEERING
  p("Jade", "Guérin", "f"),
  p("Maxime", "Muller", "m"),
  p("Jean-Baptiste", "Le Gall", "m"),
  p("Clara", "Henry", "f"),
  p("Antoine", "Perrin", "m"),
  p("Eva", "Mercier", "f"),
  p("Baptiste", "Chevalier", "m"),
  p("Lina", "Bouaziz", "f"),
  // BUSINESS
  p("Alexandre", "de Villiers", "m"),
  p("Emma", "Lambert", "f"),
  p("Louis", "Bonnet", "m"),
  p("Margaux", "François", "f"),
  p("Karim", "Belkacem", "m"),
  p("Julie", "Legrand", "f"),
  p("Sofia", "Da Silva", "f"),
  p("Arthur", "Gauthier", "m"),
  // COMPUTER_SCIENCE
  p("Thi Mai", "Nguyen", "f"),
  p("Adrien", "Robin", "m"),
  p("Noémie", "Clément", "f"),
  p("Rayan", "Mansouri", "m"),
  p("Pauline", "Masson", "f"),
  p("Quentin", "Marchand", "m"),
  p("Océane", "Duval", "f"),
  p("Kevin", "Tran", "m"),
  p("Marie-Lou", "Fontaine", "f"),
  // PSYCHOLOGY
  p("Lucie", "Caron", "f"),
  p("Samuel", "Lévy", "m"),
  p("Ambre", "Picard", "f"),
  p("Ibrahim", "Traoré", "m"),
  p("Elsa", "Roger", "f"),
  p("Gabriel", "Meunier", "m"),
  p("Charlotte", "Brun", "f"),
  // EDUCATION
  p("Aurélie", "Dumont", "f"),
  p("Florian", "Barbier", "m"),
  p("Yasmine", "El Amrani", "f"),
  p("Loïc", "Le Goff", "m"),
  p("Maëlys", "Vidal", "f"),
  p("Aminata", "N'Diaye", "f"),
  // ARTS
  p("Victor", "Renaud", "m"),
  p("Louise", "Arnaud", "f"),
  p("Maël", "Kerjean", "m"),
  p("Juliette", "Poirier", "f"),
  p("Élise", "Schmitt", "f"),
  p("Nolan", "Hoarau", "m"),
  // SCIENCES
  p("Hélène", "Marty", "f"),
  p("Paul", "Lemoine", "m"),
  p("Agathe", "Colin", "f"),
  p("Jérémy", "Aubert", "m"),
  p("Salomé", "Weber", "f"),
  p("Enzo", "Giraud", "m"),
  p("Mathilde", "Carpentier", "f"),
  // OTHER
  p("Ethan", "Moulin", "m"),
  p("Capucine", "Lacroix", "f"),
  p("Dylan", "Payet", "m"),
  p("Rose", "Tanaka-Bertin", "f"),
  p("Valentin", "Ollivier", "m"),
];

/** Thotis staff: back-office administrators. */
export const adminPeople: readonly Person[] = [
  p("Claire", "Moreau", "f"),
  p("Julien", "Petit", "m"),
  p("Nadia", "Rahmani", "f"),
];

/** People at partner organisations who embed the widget (integrators). */
export const integratorPeople: readonly (Person & { domain: string; organisation: string })[] = [
  { ...p("Stéphane", "Lemaire", "m"), domain: "lycee-jean-moulin.example", organisation: "Lycée Jean-Moulin" },
  { ...p("Sandrine", "Leclerc", "f"), domain: "orientation-avenir.example", organisation: "Orientation Avenir" },
  { ...p("Olivier", "Nicolas", "m"), domain: "campus-connect.example", organisation: "Campus Connect" },
];

/** "Jean-Baptiste Le Gall" → "jean-baptiste.le-gall"; "Aminata N'Diaye" → "aminata.ndiaye". */
export function emailLocalPart(person: Person): string {
  return `${slug(person.firstName)}.${slug(person.lastName)}`;
}

export function slug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
