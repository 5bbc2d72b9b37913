/** Prospective students of the demo history: names, the questions they ask, what they write when they rate. */

export const firstNames = [
  "Lucas", "Emma", "Hugo", "Léa", "Louis", "Chloé", "Nathan", "Manon", "Enzo", "Camille", "Théo", "Inès", "Mathis", "Jade",
  "Raphaël", "Louise", "Noah", "Zoé", "Adam", "Lina", "Tom", "Sarah", "Yanis", "Lola", "Gabriel", "Alice", "Arthur", "Anaïs",
  "Maël", "Clara", "Ethan", "Juliette", "Sacha", "Romane", "Ayoub", "Maëlys", "Paul", "Éloïse", "Rayan", "Nour",
] as const;

export const lastNames = [
  "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
  "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
  "Benali", "Nguyen", "Lambert", "Bonnet", "François", "Martinez", "Haddad", "Diallo",
] as const;

export const questionsFr = [
  "Comment se passe la première année ?",
  "Est-ce qu'on peut travailler à côté des cours ?",
  "Quelles spécialités conseilles-tu au lycée pour cette formation ?",
  "Comment as-tu préparé ton dossier Parcoursup ?",
  "Les débouchés sont-ils bons après le master ?",
  "C'est difficile de trouver un logement dans la ville ?",
  "Quelle est la charge de travail chaque semaine ?",
  "Peut-on partir en échange à l'étranger ?",
] as const;

export const questionsEn = [
  "What is the first year like?",
  "Can I follow the programme with intermediate French?",
  "How did you prepare your application?",
  "Is it easy to find housing there?",
  "What are the career prospects after the degree?",
] as const;

/** Comments by star count (index 1 to 5). */
export const feedbackFr: readonly (readonly string[])[] = [
  [],
  ["Le mentor n'était pas vraiment disponible pendant l'appel.", "Échange trop court, peu de réponses à mes questions."],
  ["Un peu rapide, j'aurais aimé plus de détails.", "Connexion difficile, on a perdu du temps."],
  ["Correct, quelques informations utiles.", "Sympa mais assez général."],
  ["Très utile, merci pour les conseils sur Parcoursup !", "Bonnes réponses sur la charge de travail.", "Merci, j'y vois plus clair."],
  [
    "Super échange, très à l'écoute. Merci !",
    "Exactement ce qu'il me fallait pour choisir ma formation.",
    "Des conseils concrets et honnêtes, je recommande.",
    "Merci beaucoup, ça m'a rassuré·e sur la première année.",
  ],
];

export const feedbackEn: readonly (readonly string[])[] = [
  [],
  ["The mentor seemed distracted during the call."],
  ["A bit rushed, I would have liked more detail."],
  ["Fine, some useful information.", "Nice but fairly general."],
  ["Very helpful, thanks for the tips on the application!", "Good answers about student life."],
  ["Great conversation, really helpful. Thank you!", "Exactly what I needed to decide.", "Honest and practical advice, highly recommended."],
];
