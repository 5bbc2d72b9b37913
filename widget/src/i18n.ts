/** Every text the visitor can read, in French (default) and English. Errors are plain words, never technical. */
const fr = {
  loading: "Chargement…",
  bookWith: "Réserver un échange de 15 minutes",
  year: (n: number) => (n === 1 ? "1re année" : `${n}e année`),
  rating: (r: string, n: number) => `${r} sur 5 (${n} avis)`,
  noRating: "Pas encore d'avis",
  chooseDay: "Choisissez un jour",
  chooseTime: "Choisissez un horaire",
  freeDay: "créneaux libres",
  noFreeDay: "aucun créneau",
  zoneShown: (zone: string, n: number) => `Horaires affichés à l'heure de ${zone} : ${n} créneau(x) libre(s).`,
  charactersLeft: (n: number) => (n === 0 ? "Limite de 500 caractères atteinte." : `Plus que ${n} caractères.`),
  noSlots: "Aucun créneau libre dans les 30 prochains jours. Revenez bientôt !",
  timeZone: "Fuseau horaire",
  slotsOn: (day: string) => `Créneaux du ${day}`,
  yourDetails: "Vos coordonnées",
  chosen: (when: string) => `Échange le ${when}`,
  change: "Changer de créneau",
  name: "Nom et prénom",
  email: "Adresse e-mail",
  question: "Votre question (facultatif)",
  counter: (n: number) => `${n} / 500 caractères`,
  submit: "Confirmer la réservation",
  submitting: "Réservation en cours…",
  confirmed: "C'est réservé !",
  confirmText: (when: string) => `Votre échange de 15 minutes aura lieu le ${when}. Un e-mail de confirmation vous a été envoyé.`,
  videoLink: "Lien de la visio :",
  addToCalendar: "Ajouter à mon agenda (.ics)",
  taken: "Ce créneau vient d'être réservé par quelqu'un d'autre. Voici les prochains créneaux libres :",
  required: "Ce champ est obligatoire.",
  badEmail: "Cette adresse e-mail ne semble pas valide.",
  tooLong: "500 caractères au maximum.",
  retry: "Réessayer",
  errors: {
    network: "Connexion impossible. Vérifiez votre connexion Internet et réessayez.",
    expired: "La page a expiré. Rechargez-la pour continuer.",
    notFound: "Ce mentor n'est pas disponible pour le moment.",
    invalid: "Certaines informations ne sont pas valides. Vérifiez le formulaire.",
    tooSoon: "Ce créneau est trop proche ou n'est plus proposé. Choisissez-en un autre.",
    rate: "Trop de tentatives. Patientez une minute puis réessayez.",
    generic: "Une erreur est survenue. Réessayez dans un instant.",
    tooLate: "Il est trop tard pour modifier cet échange (moins de 2 heures avant).",
    notCompleted: "Vous pourrez noter cet échange une fois qu'il aura eu lieu.",
    alreadyRated: "Vous avez déjà noté cet échange. Merci !",
    badLink: "Ce lien n'est pas valide ou a expiré.",
  },
  manageTitle: "Votre réservation",
  status: { ACCEPTED: "Confirmé", CANCELLED: "Annulé", COMPLETED: "Terminé" } as Record<string, string>,
  cancel: "Annuler l'échange",
  cancelReason: "Raison de l'annulation",
  confirmCancel: "Confirmer l'annulation",
  cancelled: "Votre échange a été annulé.",
  reschedule: "Changer d'horaire",
  confirmReschedule: "Confirmer le nouvel horaire",
  rescheduled: (when: string) => `C'est noté : votre échange est déplacé au ${when}.`,
  back: "Retour",
  rateTitle: "Comment s'est passé votre échange ?",
  stars: (n: number) => `${n} étoile${n > 1 ? "s" : ""} sur 5`,
  feedback: "Un commentaire (facultatif)",
  sendRating: "Envoyer mon avis",
  thanks: "Merci pour votre avis !",
  chooseRating: "Choisissez une note de 1 à 5 étoiles.",
};
export type Texts = typeof fr;

const en: Texts = {
  loading: "Loading…",
  bookWith: "Book a 15-minute chat",
  year: (n) => `Year ${n}`,
  rating: (r, n) => `${r} out of 5 (${n} reviews)`,
  noRating: "No reviews yet",
  chooseDay: "Choose a day",
  chooseTime: "Choose a time",
  freeDay: "free slots",
  noFreeDay: "no slot",
  zoneShown: (zone, n) => `Times shown in ${zone}: ${n} free slot(s).`,
  charactersLeft: (n) => (n === 0 ? "500-character limit reached." : `${n} characters left.`),
  noSlots: "No free slot in the next 30 days. Please come back soon!",
  timeZone: "Time zone",
  slotsOn: (day) => `Times on ${day}`,
  yourDetails: "Your details",
  chosen: (when) => `Chat on ${when}`,
  change: "Change time",
  name: "Full name",
  email: "E-mail address",
  question: "Your question (optional)",
  counter: (n) => `${n} / 500 characters`,
  submit: "Confirm booking",
  submitting: "Booking…",
  confirmed: "You're booked!",
  confirmText: (when) => `Your 15-minute chat is on ${when}. A confirmation e-mail is on its way.`,
  videoLink: "Video link:",
  addToCalendar: "Add to my calendar (.ics)",
  taken: "Someone just booked this time. Here are the next free times:",
  required: "This field is required.",
  badEmail: "This e-mail address does not look valid.",
  tooLong: "500 characters at most.",
  retry: "Try again",
  errors: {
    network: "We could not connect. Check your Internet connection and try again.",
    expired: "This page has expired. Reload it to continue.",
    notFound: "This mentor is not available at the moment.",
    invalid: "Some details are not valid. Please check the form.",
    tooSoon: "This time is too close or no longer offered. Please pick another one.",
    rate: "Too many attempts. Wait a minute and try again.",
    generic: "Something went wrong. Please try again in a moment.",
    tooLate: "It is too late to change this chat (less than 2 hours before).",
    notCompleted: "You can rate this chat once it has taken place.",
    alreadyRated: "You have already rated this chat. Thank you!",
    badLink: "This link is not valid or has expired.",
  },
  manageTitle: "Your booking",
  status: { ACCEPTED: "Confirmed", CANCELLED: "Cancelled", COMPLETED: "Completed" },
  cancel: "Cancel the chat",
  cancelReason: "Reason for cancelling",
  confirmCancel: "Confirm cancellation",
  cancelled: "Your chat has been cancelled.",
  reschedule: "Change time",
  confirmReschedule: "Confirm the new time",
  rescheduled: (when) => `Done: your chat is moved to ${when}.`,
  back: "Back",
  rateTitle: "How was your chat?",
  stars: (n) => `${n} star${n > 1 ? "s" : ""} out of 5`,
  feedback: "A comment (optional)",
  sendRating: "Send my review",
  thanks: "Thank you for your review!",
  chooseRating: "Choose a rating from 1 to 5 stars.",
};

export type Locale = "fr" | "en";
export const pickLocale = (requested: string | null): Locale => {
  if (requested === "fr" || requested === "en") return requested;
  return (navigator.language || "fr").toLowerCase().startsWith("en") ? "en" : "fr";
};
export const textsFor = (locale: Locale): Texts => (locale === "en" ? en : fr);

/** API error codes to plain words. Unknown codes fall back to a generic sentence: no server text is ever shown. */
export function errorText(t: Texts, code: string): string {
  const e = t.errors;
  switch (code) {
    case "NETWORK":
      return e.network;
    case "TOKEN_EXPIRED":
    case "INVALID_TOKEN":
    case "UNAUTHORIZED":
    case "INSUFFICIENT_PERMISSIONS":
      return e.expired;
    case "PROFILE_NOT_FOUND":
    case "BOOKING_NOT_FOUND":
    case "PROFILE_INACTIVE":
    case "PROFILE_INCOMPLETE":
      return e.notFound;
    case "INVALID_INPUT":
      return e.invalid;
    case "SLOT_NOT_AVAILABLE":
    case "BOOKING_CONFLICT":
    case "MINIMUM_NOTICE_REQUIRED":
    case "INVALID_DURATION":
      return e.tooSoon;
    case "RATE_LIMITED":
      return e.rate;
    case "CANCELLATION_TOO_LATE":
      return e.tooLate;
    case "SESSION_NOT_COMPLETED":
      return e.notCompleted;
    case "RATING_ALREADY_EXISTS":
      return e.alreadyRated;
    case "INVALID_RATING":
      return e.invalid;
    case "BAD_LINK":
      return e.badLink;
    default:
      return e.generic;
  }
}
