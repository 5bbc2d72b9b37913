import { Buffer } from "node:buffer";
import type { OutgoingAttachment } from "../../integrations/email/port.ts";
import { buildInvite } from "./ics.ts";
import { type EmailKind, type Recipient, renderEmail, type SessionFacts } from "./templates/render.ts";

export interface ComposeInput {
  kind: EmailKind;
  to: Recipient;
  facts: SessionFacts;
  /** The calendar invitation to attach, when the e-mail changes the session (confirmation, move, cancellation). */
  invite?: {
    method: "REQUEST" | "CANCEL";
    bookingId: number;
    sequence: number;
    stamp: Date;
    organizer: { name: string; email: string };
    mentor: { name: string; email: string };
    student: { name: string; email: string };
  };
  publicUrl: string;
}

export interface ComposedEmail {
  subject: string;
  html: string;
  text: string;
  attachments: OutgoingAttachment[];
}

/** One recipient's complete message: subject, both bodies and the invite.ics. Pure, so the property tests call it. */
export function composeEmail(input: ComposeInput): ComposedEmail {
  const { kind, to, facts, invite, publicUrl } = input;
  const rendered = renderEmail(kind, to, facts, publicUrl);
  if (!invite) return { ...rendered, attachments: [] };
  const fr = to.locale === "fr";
  const other = to.audience === "mentor" ? facts.studentName : facts.mentorName;
  const description = [
    fr ? `Session Thotis de 15 minutes : ${facts.mentorName} et ${facts.studentName}` : `15-minute Thotis session: ${facts.mentorName} and ${facts.studentName}`,
    `${fr ? "Lien vidéo" : "Video link"}: ${facts.meetingUrl}`,
    ...(facts.question ? [`Question: ${facts.question}`] : []),
  ].join("\n");
  const ics = buildInvite({
    method: invite.method,
    uid: `booking-${invite.bookingId}@${new URL(publicUrl).hostname || "thotis.fr"}`,
    sequence: invite.sequence,
    start: facts.start,
    end: facts.end,
    stamp: invite.stamp,
    summary: fr ? `Session Thotis avec ${other}` : `Thotis session with ${other}`,
    description,
    meetingUrl: facts.meetingUrl,
    organizer: invite.organizer,
    attendees: [invite.mentor, invite.student],
  });
  return {
    ...rendered,
    attachments: [
      { filename: "invite.ics", contentType: `text/calendar; method=${invite.method}; charset=UTF-8`, content: Buffer.from(ics, "utf8").toString("base64") },
    ],
  };
}
