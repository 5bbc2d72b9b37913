import type { AcademicField } from "../../schema/index.ts";

/**
 * Real French institutions and real degree names, one entry per demo mentor.
 * `years` is the range of post-baccalauréat years in which a student can be enrolled in that
 * programme (Licence 1..3, Master 4..5, PASS 1, DFGSM 2..3, internat 7+, …); mentors get a year
 * inside it so `currentYear` always agrees with the degree.
 */
export interface Programme {
  university: string;
  degree: string;
  field: AcademicField;
  years: readonly [min: number, max: number];
  /** The locative phrase used in bios ("à l'INSA Lyon", "aux Beaux-Arts de Paris"). Derived when absent. */
  at?: string;
}

export const universities = {
  paris1: "Université Paris 1 Panthéon-Sorbonne",
  assas: "Université Paris-Panthéon-Assas",
  sorbonne: "Sorbonne Université",
  parisCite: "Université Paris Cité",
  lyon1: "Université Claude Bernard Lyon 1",
  lyon2: "Université Lumière Lyon 2",
  amu: "Aix-Marseille Université",
  bordeaux: "Université de Bordeaux",
  strasbourg: "Université de Strasbourg",
  toulouseCapitole: "Université Toulouse Capitole",
  toulouseJaures: "Université Toulouse - Jean Jaurès",
  montpellier: "Université de Montpellier",
  lille: "Université de Lille",
  uga: "Université Grenoble Alpes",
  nantes: "Nantes Université",
  insaLyon: "INSA Lyon",
  centrale: "CentraleSupélec",
  polytechnique: "École polytechnique",
  sciencesPo: "Sciences Po",
  essec: "ESSEC Business School",
  hec: "HEC Paris",
  escp: "ESCP Business School",
  edhec: "EDHEC Business School",
  dauphine: "Université Paris Dauphine - PSL",
  ens: "École normale supérieure - PSL",
  saclay: "Université Paris-Saclay",
  beauxArts: "Beaux-Arts de Paris",
  boulle: "École Boulle",
  ensad: "École nationale supérieure des Arts Décoratifs",
  sorbonneNouvelle: "Université Sorbonne Nouvelle",
  cnsmdp: "Conservatoire national supérieur de musique et de danse de Paris",
  utc: "Université de technologie de Compiègne",
  artsMetiers: "Arts et Métiers",
  grenobleInp: "Grenoble INP - UGA",
  imtAtlantique: "IMT Atlantique",
  telecomParis: "Télécom Paris",
  epita: "EPITA",
  nanterre: "Université Paris Nanterre",
  cergy: "CY Cergy Paris Université",
  inalco: "Inalco",
  celsa: "CELSA Sorbonne Université",
} as const;

const u = universities;

export const programmes: readonly Programme[] = [
  // LAW (8)
  { university: u.paris1, degree: "Licence de Droit", field: "LAW", years: [1, 3] },
  { university: u.assas, degree: "Master Droit des affaires", field: "LAW", years: [4, 5] },
  { university: u.toulouseCapitole, degree: "Licence de Droit", field: "LAW", years: [1, 3] },
  { university: u.bordeaux, degree: "Master Droit pénal et sciences criminelles", field: "LAW", years: [4, 5] },
  { university: u.strasbourg, degree: "Master Droit de l'Union européenne", field: "LAW", years: [4, 5] },
  { university: u.lille, degree: "Double licence Droit - Langues étrangères appliquées", field: "LAW", years: [1, 3] },
  { university: u.sciencesPo, degree: "Master Carrières judiciaires et juridiques", field: "LAW", years: [4, 5], at: "à Sciences Po" },
  { university: u.amu, degree: "Licence de Droit, parcours Droit public", field: "LAW", years: [1, 3] },

  // MEDICINE (8)
  { university: u.sorbonne, degree: "PASS (Parcours d'accès spécifique santé)", field: "MEDICINE", years: [1, 1] },
  {
    university: u.parisCite,
    degree: "DFGSM (Diplôme de formation générale en sciences médicales)",
    field: "MEDICINE",
    years: [2, 3],
  },
  { university: u.lyon1, degree: "DFASM (Diplôme de formation approfondie en sciences médicales)", field: "MEDICINE", years: [4, 6] },
  { university: u.amu, degree: "DES de Médecine générale (internat)", field: "MEDICINE", years: [7, 9] },
  { university: u.montpellier, degree: "L.AS (Licence Accès Santé) - Sciences de la vie", field: "MEDICINE", years: [1, 1] },
  { university: u.strasbourg, degree: "Diplôme d'État de docteur en pharmacie", field: "MEDICINE", years: [2, 6] },
  { university: u.lille, degree: "Diplôme d'État de sage-femme", field: "MEDICINE", years: [2, 5] },
  { university: u.bordeaux, degree: "Diplôme d'État de masseur-kinésithérapeute", field: "MEDICINE", years: [2, 5] },

  // ENGINEERING (8)
  { university: u.insaLyon, degree: "Diplôme d'ingénieur - Génie mécanique", field: "ENGINEERING", years: [1, 5] },
  { university: u.centrale, degree: "Diplôme d'ingénieur CentraleSupélec", field: "ENGINEERING", years: [3, 5] },
  { university: u.polytechnique, degree: "Cycle ingénieur polytechnicien", field: "ENGINEERING", years: [3, 5] },
  { university: u.grenobleInp, degree: "Diplôme d'ingénieur - Énergie et environnement (Ense3)", field: "ENGINEERING", years: [3, 5] },
  { university: u.utc, degree: "Diplôme d'ingénieur - Génie biologique", field: "ENGINEERING", years: [1, 5] },
  { university: u.artsMetiers, degree: "Diplôme d'ingénieur Arts et Métiers", field: "ENGINEERING", years: [3, 5], at: "aux Arts et Métiers" },
  { university: u.nantes, degree: "Diplôme d'ingénieur Polytech - Génie civil", field: "ENGINEERING", years: [3, 5] },
  { university: u.imtAtlantique, degree: "Diplôme d'ingénieur généraliste", field: "ENGINEERING", years: [3, 5] },

  // BUSINESS (8)
  { university: u.hec, degree: "Programme Grande École (Master in Management)", field: "BUSINESS", years: [3, 5], at: "à HEC Paris" },
  { university: u.essec, degree: "Global BBA", field: "BUSINESS", years: [1, 4] },
  { university: u.escp, degree: "Master in Management", field: "BUSINESS", years: [4, 5] },
  { university: u.dauphine, degree: "Licence Gestion", field: "BUSINESS", years: [1, 3] },
  { university: u.amu, degree: "Master Management et administration des entreprises (IAE)", field: "BUSINESS", years: [4, 5] },
  { university: u.lille, degree: "BUT Gestion des entreprises et des administrations", field: "BUSINESS", years: [1, 3] },
  { university: u.edhec, degree: "Master in Management - Finance", field: "BUSINESS", years: [4, 5] },
  { university: u.toulouseCapitole, degree: "Licence Économie et gestion", field: "BUSINESS", years: [1, 3] },

  // COMPUTER_SCIENCE (9)
  { university: u.saclay, degree: "Master Informatique - parcours Intelligence artificielle", field: "COMPUTER_SCIENCE", years: [4, 5] },
  { university: u.dauphine, degree: "Master MIAGE", field: "COMPUTER_SCIENCE", years: [4, 5] },
  { university: u.bordeaux, degree: "BUT Informatique", field: "COMPUTER_SCIENCE", years: [1, 3] },
  { university: u.epita, degree: "Diplôme d'ingénieur en informatique", field: "COMPUTER_SCIENCE", years: [1, 5] },
  { university: u.uga, degree: "Licence Informatique", field: "COMPUTER_SCIENCE", years: [1, 3] },
  { university: u.ens, degree: "Diplôme de l'ENS - Informatique", field: "COMPUTER_SCIENCE", years: [3, 5] },
  { university: u.montpellier, degree: "BUT Informatique", field: "COMPUTER_SCIENCE", years: [1, 3] },
  { university: u.nantes, degree: "Master Informatique - parcours Architecture logicielle", field: "COMPUTER_SCIENCE", years: [4, 5] },
  { university: u.telecomParis, degree: "Diplôme d'ingénieur Télécom Paris", field: "COMPUTER_SCIENCE", years: [3, 5] },

  // PSYCHOLOGY (7)
  { university: u.parisCite, degree: "Licence de Psychologie", field: "PSYCHOLOGY", years: [1, 3] },
  { university: u.lyon2, degree: "Licence de Psychologie", field: "PSYCHOLOGY", years: [1, 3] },
  { university: u.amu, degree: "Master Psychologie clinique et psychopathologie", field: "PSYCHOLOGY", years: [4, 5] },
  { university: u.lille, degree: "Master Psychologie sociale, du travail et des organisations", field: "PSYCHOLOGY", years: [4, 5] },
  { university: u.toulouseJaures, degree: "Master Neuropsychologie", field: "PSYCHOLOGY", years: [4, 5] },
  { university: u.strasbourg, degree: "Licence de Psychologie", field: "PSYCHOLOGY", years: [1, 3] },
  { university: u.nanterre, degree: "Master Psychologie de l'enfance et de l'adolescence", field: "PSYCHOLOGY", years: [4, 5] },

  // EDUCATION (6)
  { university: u.sorbonne, degree: "Master MEEF 1er degré (professeur des écoles)", field: "EDUCATION", years: [4, 5] },
  { university: u.bordeaux, degree: "Master MEEF 2nd degré - Mathématiques", field: "EDUCATION", years: [4, 5] },
  { university: u.lille, degree: "Licence Sciences de l'éducation et de la formation", field: "EDUCATION", years: [1, 3] },
  { university: u.nantes, degree: "Licence Sciences de l'éducation et de la formation", field: "EDUCATION", years: [1, 3] },
  { university: u.uga, degree: "Master MEEF Encadrement éducatif (CPE)", field: "EDUCATION", years: [4, 5] },
  { university: u.cergy, degree: "Master MEEF 1er degré (professeur des écoles)", field: "EDUCATION", years: [4, 5] },

  // ARTS (6)
  { university: u.beauxArts, degree: "Diplôme national supérieur d'arts plastiques (DNSAP)", field: "ARTS", years: [1, 5], at: "aux Beaux-Arts de Paris" },
  { university: u.boulle, degree: "DN MADE Objet", field: "ARTS", years: [1, 3] },
  { university: u.ensad, degree: "Diplôme de l'EnsAD - Design graphique", field: "ARTS", years: [1, 5], at: "à l'EnsAD" },
  { university: u.sorbonneNouvelle, degree: "Licence Cinéma et audiovisuel", field: "ARTS", years: [1, 3] },
  { university: u.cnsmdp, degree: "Master de musique - Interprète", field: "ARTS", years: [4, 5], at: "au Conservatoire de Paris (CNSMDP)" },
  { university: u.strasbourg, degree: "Licence Arts plastiques", field: "ARTS", years: [1, 3] },

  // SCIENCES (7)
  { university: u.ens, degree: "Diplôme de l'ENS - Physique", field: "SCIENCES", years: [3, 5] },
  { university: u.sorbonne, degree: "Licence Sciences de la vie", field: "SCIENCES", years: [1, 3] },
  { university: u.saclay, degree: "Master Physique fondamentale", field: "SCIENCES", years: [4, 5] },
  { university: u.lyon1, degree: "Licence Mathématiques", field: "SCIENCES", years: [1, 3] },
  { university: u.strasbourg, degree: "Master Chimie", field: "SCIENCES", years: [4, 5] },
  { university: u.montpellier, degree: "Master Biodiversité, écologie et évolution", field: "SCIENCES", years: [4, 5] },
  { university: u.uga, degree: "Doctorat en sciences de la Terre et de l'environnement", field: "SCIENCES", years: [6, 8] },

  // OTHER (5)
  { university: u.sciencesPo, degree: "Bachelor du Collège universitaire", field: "OTHER", years: [1, 3], at: "à Sciences Po" },
  { university: u.paris1, degree: "Licence d'Histoire", field: "OTHER", years: [1, 3] },
  { university: u.nanterre, degree: "Licence STAPS", field: "OTHER", years: [1, 3] },
  { university: u.inalco, degree: "Licence LLCER Japonais", field: "OTHER", years: [1, 3], at: "à l'Inalco" },
  { university: u.celsa, degree: "Master Information et communication", field: "OTHER", years: [4, 5], at: "au CELSA" },
];

/** "à l'Université de Lille", "à Sorbonne Université", or the programme's own phrase. */
export function locative(p: Programme): string {
  if (p.at) return p.at;
  return /^[AEIOUYÉÈÊaeiouyéèê]/.test(p.university) ? `à l'${p.university}` : `à ${p.university}`;
}
