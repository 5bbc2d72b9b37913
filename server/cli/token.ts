import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { roles, signToken, type Role } from "../plugins/auth.ts";

/** npm run token -- <role> [--sub ID] [--profile STUDENT_PROFILE_ID] [--ttl SECONDS] */
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    sub: { type: "string" },
    profile: { type: "string" },
    ttl: { type: "string", default: "3600" },
  },
});
const role = positionals[0] as Role | undefined;
if (!role || !roles.includes(role)) {
  console.error(`usage: npm run token -- <${roles.join("|")}> [--sub ID] [--profile STUDENT_PROFILE_ID] [--ttl SECONDS]`);
  process.exit(2);
}
if (role === "mentor" && (!values.sub || !values.profile)) {
  console.error("a mentor token needs --sub USER_ID and --profile STUDENT_PROFILE_ID");
  process.exit(2);
}
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 1) {
  console.error("--ttl must be a positive number of seconds");
  process.exit(2);
}
const config = loadConfig();
const claims: { sub: string; role: Role; studentProfileId?: string } = { sub: values.sub ?? `cli-${role}`, role };
if (values.profile) claims.studentProfileId = values.profile;
console.log(await signToken(config.jwtSecret, claims, ttl));
