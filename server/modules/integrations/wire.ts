/** Cal.com (SCHEDULING_BACKEND=calcom) and Google Calendar: each is wired only when configured, else undefined. */
import { createCalcomClient } from "../../integrations/calcom/client.ts";
import { createGoogleCalendar } from "../../integrations/google/calendar.ts";
import { createCryptoBox } from "../../lib/crypto-box.ts";
import type { SharedDeps } from "../../wiring/shared.ts";
import type { AvailabilityService } from "../availability/service.ts";
import { createCalcomService } from "./calcom-service.ts";
import { createGoogleService } from "./google-service.ts";

export function wireCalcom({ config, db, logger }: SharedDeps) {
  if (config.schedulingBackend !== "calcom" || !config.calcom) return undefined;
  return createCalcomService({ db, client: createCalcomClient({ baseUrl: config.calcom.apiUrl, apiKey: config.calcom.apiKey, logger }) });
}

export function wireGoogle({ config, db, clock, logger, jobs }: SharedDeps, availability: AvailabilityService) {
  if (!config.google) return undefined;
  const google = createGoogleService({
    db,
    clock,
    logger,
    availability,
    calendar: createGoogleCalendar({
      clientId: config.google.clientId,
      clientSecret: config.google.clientSecret,
      redirectUri: config.google.redirectUri,
      rootUrl: config.google.apiRootUrl,
      oauthTokenUrl: config.google.tokenUrl,
      oauthAuthUrl: config.google.authUrl,
    }),
    box: createCryptoBox(config.tokenEncryptionKey),
    stateSecret: config.jwtSecret,
  });
  // Busy times of every connected mentor are re-read each quarter hour.
  jobs.registry.register("calendar.sync-all", { handler: async () => void (await google.syncAll()), maxAttempts: 3 });
  jobs.every("calendar.sync-all", 15 * 60_000);
  return google;
}
