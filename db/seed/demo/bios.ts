import type { AcademicField } from "../../schema/index.ts";

/**
 * Sentence pools the demo bios are assembled from (see mentors.ts). Placeholders:
 * `{first}` first name, `{degree}` degree, `{at}` "à l'Université de Lille", `{year}` "2e année",
 * `{e}` feminine agreement ("passionné{e}"), `{student}` "Étudiant" / "Étudiante".
 * French typography: a narrow no-break space (U+202F) precedes "!", "?" and ";" in a few sentences
 * and some sentences carry emoji, so bios exercise more than Latin-1.
 */

export const intros: readonly string[] = [
  "Bonjour ! Moi c'est {first}, en {year} ({degree}) {at}.",
  "{student} {at}, en {year} : {degree}.",
  "Salut, je m'appelle {first} et je suis en {year} {at} ({degree}).",
  "{first}, {year} — {degree} {at}.",
  "Actuellement en {year} {at}, je suis le cursus « {degree} ».",
]

/** What a conditional sentence may depend on: some only make sense for one degree or from some year on. */
export interface BioContext {
  degree: string;
  currentYear: number;
  /** First post-bac year of the programme (3 for a grande école entered after a prépa). */
  entryYear: number;
}

export type BioSentence = string | { text: string; when: (c: BioContext) => boolean };

const fromYear = (year: number) => (c: BioContext) => c.currentYear >= year;
const degreeMatches = (pattern: RegExp) => (c: BioContext) => pattern.test(c.degree);
const visualArts = (c: BioContext) => !/musique|Cinéma/.test(c.degree);

export const fieldSentences: Record<AcademicField, readonly BioSentence[]> = {
  LAW: [
    "La première année de droit demande surtout de la méthode : fiches d'arrêt, dissertations, commentaires… je peux te montrer comment je m'organise.",
    "J'ai découvert le droit constitutionnel et le droit des obligations en L1 et j'ai tout de suite accroché.",
    "Les travaux dirigés sont exigeants mais c'est là qu'on progresse vraiment, surtout à l'oral.",
    { text: "J'ai participé à un concours de plaidoirie et à la clinique juridique de ma fac, une super façon de pratiquer.", when: fromYear(2) },
    "On me demande souvent s'il faut être fort en par cœur pour réussir en droit : pas vraiment, il faut surtout savoir raisonner.",
    "Je vise le CRFPA pour devenir avocat{e}, mais les concours de la magistrature m'intéressent aussi.",
    "Je peux t'expliquer la différence entre une licence de droit classique, une double licence et un bi-cursus.",
  ],
  MEDICINE: [
    "Le PASS et la L.AS sont des années très intenses ; le plus important est de trouver un rythme de travail tenable sur la durée.",
    "J'utilise beaucoup les fiches et la répétition espacée pour retenir l'anatomie et la biochimie.",
    { text: "Les stages à l'hôpital m'ont confirmé que j'avais fait le bon choix, même si les gardes sont fatigantes.", when: fromYear(3) },
    "Je peux te parler des différentes filières MMOPK (médecine, maïeutique, odontologie, pharmacie, kiné) et de leurs débouchés.",
    { text: "Le tutorat associatif de ma fac m'a énormément aidé{e} en première année, je te conseille de t'y inscrire.", when: fromYear(2) },
    "On ne le dit pas assez : garder une activité sportive ou artistique pendant les études de santé, c'est vital.",
    {
      text: "La préparation des ECOS et de l'internat se fait progressivement, pas besoin de paniquer dès la première année.",
      when: degreeMatches(/DFGSM|DFASM|DES/),
    },
  ],
  ENGINEERING: [
    {
      text: "J'ai intégré mon école après deux ans de classe préparatoire MP, et je peux te raconter comment se passent les concours.",
      when: (c) => c.entryYear >= 3,
    },
    {
      text: "J'ai choisi une école avec prépa intégrée pour éviter la pression des concours, et je ne le regrette pas.",
      when: (c) => c.entryYear === 1,
    },
    "En école d'ingénieurs, les projets en équipe comptent autant que les partiels : on apprend à travailler comme en entreprise.",
    {
      text: "Je suis passionné{e} par la transition énergétique et j'ai fait mon stage dans un bureau d'études spécialisé.",
      when: fromYear(4),
    },
    "Prépa intégrée, CPGE ou admission parallèle après un BUT : il existe plusieurs chemins, je peux t'aider à choisir.",
    "La vie associative est très riche : BDE, junior-entreprise, club robotique… j'en profite à fond.",
    { text: "L'année de césure m'a permis de partir six mois en Allemagne, une expérience que je recommande à tout le monde.", when: fromYear(5) },
    "Si les maths te font un peu peur, sache que la motivation et la régularité comptent plus que le talent.",
  ],
  BUSINESS: [
    "On peut intégrer une école de commerce juste après le bac ou après une prépa ECG : je peux t'expliquer les deux voies.",
    "Marketing, finance, audit, entrepreneuriat : les premières années permettent de tout tester avant de se spécialiser.",
    "Les frais de scolarité font peur, mais il existe des bourses, des prêts à taux zéro et l'alternance pour les financer.",
    { text: "J'ai fait un échange d'un semestre à Montréal et un stage dans une start-up de la French Tech.", when: fromYear(3) },
    "Je peux t'aider à préparer les oraux de motivation et les entretiens de personnalité.",
    "Passer par l'université (licence de gestion, IAE) est aussi une excellente voie, souvent sous-estimée.",
    {
      text: "Le réseau des anciens est l'un des vrais atouts des écoles ; j'ai trouvé mes stages grâce à lui.",
      when: (c) => fromYear(3)(c) && /Management|BBA|Grande École/.test(c.degree),
    },
  ],
  COMPUTER_SCIENCE: [
    "J'ai commencé à coder au lycée avec la spécialité NSI, puis j'ai choisi de continuer en informatique.",
    "En BUT comme en licence, on fait beaucoup de projets concrets : applications web, bases de données, réseaux.",
    "Je m'intéresse surtout à l'intelligence artificielle et à l'apprentissage automatique.",
    { text: "L'alternance me permet de financer mes études tout en travaillant dans l'équipe de développement d'une ESN.", when: fromYear(2) },
    "Pas besoin d'être un génie des maths pour réussir en informatique, mais il faut aimer chercher et déboguer 🐛.",
    "Je participe à des hackathons et à des projets open source, c'est la meilleure façon d'apprendre.",
    "BUT, licence, MIAGE, école d'ingénieurs : je peux t'expliquer les différences concrètes entre ces parcours.",
  ],
  PSYCHOLOGY: [
    "La licence de psychologie comporte beaucoup de statistiques et de biologie, ce qui surprend souvent en L1.",
    { text: "Je me destine à la psychologie clinique et j'ai fait un stage dans un centre médico-psychologique.", when: fromYear(3) },
    "L'entrée en master est sélective : je peux te donner des conseils pour construire ton dossier dès la licence.",
    { text: "J'ai découvert la neuropsychologie pendant un cours de L2 et c'est devenu ma spécialité.", when: degreeMatches(/Neuropsychologie/) },
    "Le titre de psychologue demande cinq ans d'études et un stage professionnalisant, mieux vaut le savoir dès le départ.",
    "Les cours sur le développement de l'enfant sont parmi mes préférés.",
  ],
  EDUCATION: [
    { text: "Je prépare le concours de professeur des écoles (CRPE) tout en faisant des stages en classe.", when: degreeMatches(/1er degré/) },
    { text: "Le master MEEF alterne cours à l'INSPÉ et stages sur le terrain, c'est très formateur.", when: degreeMatches(/MEEF/) },
    "J'ai toujours aimé transmettre : j'ai fait du soutien scolaire et de l'animation pendant plusieurs étés.",
    "Les sciences de l'éducation ouvrent à plein de métiers : enseignement, formation d'adultes, médiation, insertion.",
    "Pour enseigner, il faut un master et un concours : le CRPE pour le primaire, le CAPES ou l'agrégation pour le secondaire.",
    { text: "Être CPE, c'est accompagner les élèves au quotidien ; c'est le métier que je vise.", when: degreeMatches(/CPE/) },
  ],
  ARTS: [
    { text: "J'ai préparé mon dossier artistique pendant toute ma terminale, et je peux te montrer comment le construire.", when: visualArts },
    {
      text: "Les concours d'entrée en école d'art comportent souvent un entretien autour de ton portfolio : pas de panique.",
      when: visualArts,
    },
    "Les études artistiques demandent énormément de travail personnel, bien au-delà des heures de cours.",
    "Université, école, conservatoire : je peux t'aider à comprendre ce qui différencie ces parcours.",
    { text: "En DN MADE, on alterne pratique d'atelier, histoire de l'art et projets avec des professionnels.", when: degreeMatches(/DN MADE/) },
    {
      text: "Je travaille surtout la sérigraphie et la céramique, avec quelques expériences en vidéo 🎨.",
      when: degreeMatches(/arts plastiques|DNSAP|DN MADE|EnsAD/i),
    },
    { text: "Je joue du violoncelle depuis mes six ans ; au conservatoire, c'est plusieurs heures de pratique par jour 🎻.", when: degreeMatches(/musique/) },
    { text: "J'ai tourné mes premiers courts métrages avec un simple smartphone 🎬.", when: degreeMatches(/Cinéma/) },
    "Vivre de son art est possible, mais il faut aussi apprendre à gérer ses projets et son statut d'artiste-auteur.",
    { text: "Les journées portes ouvertes des écoles d'art sont indispensables pour sentir l'ambiance des ateliers.", when: visualArts },
  ],
  SCIENCES: [
    "J'ai choisi la fac de sciences pour garder des portes ouvertes entre recherche, enseignement et industrie.",
    "Les travaux pratiques en laboratoire sont souvent la partie préférée des étudiants, et c'est aussi la mienne.",
    "Les études scientifiques sont exigeantes mais passionnantes ; l'entraide entre étudiants fait toute la différence.",
    { text: "Je fais ma thèse sur l'impact du changement climatique sur les glaciers alpins 🏔️.", when: degreeMatches(/Doctorat/) },
    "Je peux te parler des doubles licences (maths-physique, physique-chimie) et des magistères.",
    { text: "Un stage de recherche en L3 m'a fait découvrir le quotidien d'un laboratoire, et j'ai adoré.", when: fromYear(4) },
    "L'ENS, l'agrégation, le doctorat : je peux t'expliquer comment s'articulent ces étapes.",
  ],
  OTHER: [
    { text: "Mon parcours est pluridisciplinaire : histoire, sciences politiques, langues… et c'est ce qui me plaît.", when: degreeMatches(/Collège|Histoire/) },
    {
      text: "J'ai passé un semestre d'échange au Japon, une expérience qui a complètement changé ma façon de voir les choses 🇯🇵.",
      when: (c) => /Japonais/.test(c.degree) && c.currentYear >= 2,
    },
    { text: "En STAPS, on étudie autant la physiologie et la biomécanique que la pédagogie du sport.", when: degreeMatches(/STAPS/) },
    { text: "Je m'oriente vers le journalisme et la communication, avec plusieurs stages en rédaction.", when: degreeMatches(/communication/) },
    "Beaucoup de lycéens pensent que les filières de lettres et sciences humaines ne mènent à rien : c'est faux !",
    { text: "Les langues orientales offrent des débouchés variés : traduction, commerce international, diplomatie.", when: degreeMatches(/LLCER/) },
    "Je peux t'aider à explorer des formations moins connues, souvent passionnantes et qui recrutent.",
  ],
};

export const genericSentences: readonly string[] = [
  "Je me souviens très bien du stress de Parcoursup, alors je serai ravi{e} de t'aider à remplir tes vœux.",
  "N'hésite pas à me poser des questions sur la vie étudiante, le logement ou les bourses du Crous.",
  "J'ai déménagé loin de ma famille pour mes études ; je peux te donner quelques conseils pour bien t'installer.",
  "Mon conseil : va aux journées portes ouvertes et parle aux étudiants, c'est là qu'on apprend le plus.",
  "Je travaille à côté de mes études, donc je sais ce que c'est de jongler avec un emploi du temps chargé.",
  "Je suis la première personne de ma famille à faire des études supérieures.",
  "Je réponds aussi aux questions des parents, qui ont souvent autant d'interrogations que leurs enfants.",
  "L'orientation n'est pas un choix définitif : des passerelles existent à chaque étape.",
  "J'aime beaucoup échanger avec des lycéens, ça me rappelle pourquoi j'ai choisi cette voie.",
  "Je suis disponible surtout en soirée et le week-end, en visio ou par message.",
  "J'ai redoublé une année et je ne le regrette pas : prendre son temps n'a rien de honteux.",
  "Le plus important selon moi, c'est de choisir une formation qui te ressemble, pas celle qu'on attend de toi.",
];

export const closings: readonly string[] = [
  "À bientôt !",
  "Au plaisir d'échanger avec toi\u202F!",
  "N'hésite pas à réserver un créneau 🙂",
  "Écris-moi, je réponds vite !",
  "Bon courage pour la suite 💪",
  "Hâte de te rencontrer\u202F!",
];

/** Deliberately short bios (around 55–70 characters), for mentors who say little. */
export const shortBios: readonly string[] = [
  "Ravi{e} de partager mon expérience, écris-moi quand tu veux !",
  "Je réponds à toutes tes questions sur ma formation et ma fac.",
  "Passé{e} par Parcoursup récemment : je t'aide à y voir clair.",
  "Disponible le soir pour parler orientation et vie étudiante 🙂",
  "Pose-moi tes questions sur le cursus, les stages et les partiels !",
];
