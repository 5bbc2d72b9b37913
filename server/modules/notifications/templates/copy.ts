/**
 * Every sentence the e-mails say, in French (default) and English. Names and questions are inserted raw here; the
 * layout escapes whole strings for HTML, so nothing a visitor typed can become markup.
 */
import type { Locale } from "./format.ts";

export interface Names {
  mentor: string;
  student: string;
}
export interface When {
  date: string;
  time: string;
}

const fr = {
  labels: {
    date: "Date",
    time: "Heure",
    zone: "Fuseau horaire",
    mentor: "Mentor",
    student: "Élève",
    question: "Question",
    video: "Lien vidéo",
    previous: "Ancien horaire",
    next: "Nouvel horaire",
    cancelledBy: "Annulée par",
    reason: "Motif",
  },
  join: "Rejoindre la session",
  manage: "Gérer ma réservation",
  manageHint: "Besoin d'annuler ou de déplacer la session ? C'est possible jusqu'à 2 heures avant le début :",
  invite: "L'invitation jointe (invite.ics) met votre agenda à jour.",
  footer: "Thotis met en relation lycéens et étudiants pour parler d'études. Cet e-mail concerne une session réservée sur Thotis.",
  greeting: (name: string) => `Bonjour ${name},`,
  by: { mentor: "le mentor", student: "l'élève", other: "Thotis" },
  at: (w: When) => `le ${w.date} à ${w.time.split(" – ")[0]}`,
  confirmation: {
    mentor: {
      subject: (n: Names, w: When) => `Nouvelle session avec ${n.student} le ${w.date}`,
      heading: "Nouvelle session réservée",
      intro: (n: Names) => `${n.student} a réservé une session de 15 minutes avec vous. Voici les détails :`,
    },
    student: {
      subject: (n: Names) => `Votre session avec ${n.mentor} est confirmée`,
      heading: "Votre session est confirmée",
      intro: (n: Names) => `Votre session de 15 minutes avec ${n.mentor} est confirmée. Voici les détails :`,
    },
  },
  cancellation: {
    subject: (w: When) => `Session annulée : ${w.date}`,
    heading: "Session annulée",
    intro: (other: string, at: string) => `La session avec ${other} prévue ${at} est annulée.`,
    rebook: "Vous pouvez réserver une autre session sur Thotis quand vous le souhaitez.",
  },
  rescheduled: {
    subject: (w: When) => `Session déplacée au ${w.date}`,
    heading: "Session déplacée",
    intro: (other: string) => `La session avec ${other} a changé d'horaire. Le lien vidéo est nouveau :`,
  },
  reminder: {
    subject: (offset: "24h" | "1h", other: string): string =>
      offset === "24h" ? `Rappel : session avec ${other} dans 24 heures` : `Rappel : session avec ${other} dans 1 heure`,
    heading: (offset: "24h" | "1h"): string => (offset === "24h" ? "Votre session a lieu demain" : "Votre session commence dans 1 heure"),
    intro: (other: string, at: string) => `Petit rappel : votre session avec ${other} a lieu ${at}.`,
  },
  rating: {
    subject: (n: Names) => `Comment s'est passée votre session avec ${n.mentor} ?`,
    heading: "Votre avis compte",
    intro: (n: Names) => `Merci d'avoir échangé avec ${n.mentor}. Une note de 1 à 5 aide les autres lycéens à choisir leur mentor.`,
    button: "Noter la session",
    hint: (days: number) => `Ce lien vous est personnel, ne sert qu'une fois et reste valable ${days} jours.`,
  },
};

type Copy = typeof fr;

const en: Copy = {
  labels: {
    date: "Date",
    time: "Time",
    zone: "Time zone",
    mentor: "Mentor",
    student: "Student",
    question: "Question",
    video: "Video link",
    previous: "Previous time",
    next: "New time",
    cancelledBy: "Cancelled by",
    reason: "Reason",
  },
  join: "Join the session",
  manage: "Manage my booking",
  manageHint: "Need to cancel or move the session? You can do so up to 2 hours before it starts:",
  invite: "The attached invitation (invite.ics) updates your calendar.",
  footer: "Thotis connects high-school students with university students to talk about studies. This e-mail is about a session booked on Thotis.",
  greeting: (name: string) => `Hello ${name},`,
  by: { mentor: "the mentor", student: "the student", other: "Thotis" },
  at: (w: When) => `on ${w.date} at ${w.time.split(" – ")[0]}`,
  confirmation: {
    mentor: {
      subject: (n: Names, w: When) => `New session with ${n.student} on ${w.date}`,
      heading: "New session booked",
      intro: (n: Names) => `${n.student} booked a 15-minute session with you. Here are the details:`,
    },
    student: {
      subject: (n: Names) => `Your session with ${n.mentor} is confirmed`,
      heading: "Your session is confirmed",
      intro: (n: Names) => `Your 15-minute session with ${n.mentor} is confirmed. Here are the details:`,
    },
  },
  cancellation: {
    subject: (w: When) => `Session cancelled: ${w.date}`,
    heading: "Session cancelled",
    intro: (other: string, at: string) => `The session with ${other} planned ${at} is cancelled.`,
    rebook: "You can book another session on Thotis whenever you like.",
  },
  rescheduled: {
    subject: (w: When) => `Session moved to ${w.date}`,
    heading: "Session moved",
    intro: (other: string) => `The session with ${other} has a new time. The video link is new too:`,
  },
  reminder: {
    subject: (offset, other) => (offset === "24h" ? `Reminder: session with ${other} in 24 hours` : `Reminder: session with ${other} in 1 hour`),
    heading: (offset) => (offset === "24h" ? "Your session is tomorrow" : "Your session starts in 1 hour"),
    intro: (other, at) => `A quick reminder: your session with ${other} takes place ${at}.`,
  },
  rating: {
    subject: (n) => `How was your session with ${n.mentor}?`,
    heading: "Your opinion matters",
    intro: (n) => `Thank you for talking with ${n.mentor}. A rating from 1 to 5 helps other students choose their mentor.`,
    button: "Rate the session",
    hint: (days) => `This link is yours alone, works once and stays valid for ${days} days.`,
  },
};

export const copy: Record<Locale, Copy> = { fr, en };
