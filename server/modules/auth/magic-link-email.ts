import { renderHtml, renderText, type Message } from "../notifications/templates/layout.ts";
import type { Locale } from "../notifications/templates/format.ts";

/** The sign-in e-mail, in the Thotis layout every other e-mail uses, in French or English. */
export function magicLinkEmail(input: { locale: Locale; name: string; url: string; minutes: number; publicUrl: string }) {
  const { locale, name, url, minutes } = input;
  const m: Message =
    locale === "en"
      ? {
          locale,
          subject: "Your Thotis sign-in link",
          greeting: `Hello ${name},`,
          heading: "Sign in to your mentor space",
          paragraphs: [`Use the button below to sign in. The link works once and expires in ${minutes} minutes.`],
          rows: [],
          button: { label: "Sign in", url },
          notes: ["If you did not ask for this link, ignore this e-mail: nobody can sign in without it."],
          footer: "Thotis: student mentoring. This message was sent because someone asked for a sign-in link for this address.",
        }
      : {
          locale,
          subject: "Votre lien de connexion Thotis",
          greeting: `Bonjour ${name},`,
          heading: "Connectez-vous à votre espace mentor",
          paragraphs: [`Utilisez le bouton ci-dessous pour vous connecter. Le lien ne sert qu'une fois et expire dans ${minutes} minutes.`],
          rows: [],
          button: { label: "Me connecter", url },
          notes: ["Si vous n'avez pas demandé ce lien, ignorez cet e-mail : personne ne peut se connecter sans lui."],
          footer: "Thotis : le mentorat étudiant. Ce message a été envoyé car une personne a demandé un lien de connexion pour cette adresse.",
        };
  return { subject: m.subject, html: renderHtml(m, input.publicUrl), text: renderText(m) };
}
