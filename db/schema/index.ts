export * from "./users.ts";
export * from "./student-profiles.ts";
