export * from "./users.ts";
export * from "./student-profiles.ts";
export * from "./schedules.ts";
export * from "./bookings.ts";
export * from "./calendars.ts";
