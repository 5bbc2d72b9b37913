import { docsPlugin } from "./docs.ts";

/** The OpenAPI document's title, description and tag list (the reference UI at /docs groups routes by tag). */
export function apiDocsPlugin(version: string, publicApiPaths?: readonly string[]) {
  return docsPlugin({
    title: "Thotis mentoring API",
    version,
    publicApiPaths,
    description:
      "REST API of the Thotis mentoring platform: mentor discovery and profiles, availability, bookings (book, " +
      "cancel, reschedule, complete), ratings, statistics, webhooks and product analytics. " +
      "Every /api/v2 route needs `Authorization: Bearer <token>`: a role JWT (HS256; admin, integrator, mentor, widget) " +
      "or, on the routes the links of booking e-mails open, that booking's manage or rating token; console sign-in is public. " +
      "Success: `{ status: 'success', data }`; errors: `{ status: 'error', error: { code, message, details? } }`.",
    tags: [
      { name: "Students", description: "Mentor profiles and discovery" },
      { name: "Availability", description: "Mentors' schedules and free 15-minute slots" },
      { name: "Bookings", description: "Booking, cancelling, rescheduling and completing sessions" },
      { name: "Users", description: "Accounts mentors' profiles attach to" },
      { name: "Integrations", description: "Google Calendar connection of mentors (these routes exist only when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set)" },
      { name: "Health", description: "Liveness and readiness probes" },
      { name: "Widget", description: "Short-lived tokens for the embeddable booking widget" },
      { name: "Analytics", description: "Product analytics events (widget funnel)" },
      { name: "Admin", description: "Administration: system health, analytics funnel" },
      { name: "Webhooks", description: "Signed booking events POSTed to integrators' endpoints, with a delivery log" },
      { name: "Ratings", description: "Ratings of completed sessions and their moderation" },
      { name: "Statistics", description: "Mentor and platform statistics" },
      { name: "Auth", description: "Console sign-in" },
      { name: "Notifications", description: "E-mails the platform sent (admin mailbox)" },
      { name: "Privacy", description: "Export and erasure of a person's data, and the audit log of who read what" },
    ],
  });
}
