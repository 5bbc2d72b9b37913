import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { studentProfiles, users } from "../../../db/schema/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { badRequest, conflict, ErrorCode, notFound } from "../../lib/errors.ts";
import { sqlState } from "../../plugins/errors.ts";
import { type CreateUserBody, isTimeZone, type User } from "./model.ts";

export type UserService = ReturnType<typeof createUserService>;

export function createUserService({ db, clock }: { db: Database; clock: Clock }) {
  async function getUser(id: number): Promise<User> {
    const [row] = await db
      .select({ user: users, studentProfileId: studentProfiles.id })
      .from(users)
      .leftJoin(studentProfiles, eq(studentProfiles.userId, users.id))
      .where(eq(users.id, id))
      .limit(1);
    if (!row) throw notFound(ErrorCode.USER_NOT_FOUND, `User ${id} not found`);
    const u = row.user;
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      timeZone: u.timeZone,
      locale: u.locale as User["locale"],
      studentProfileId: row.studentProfileId,
      createdAt: u.createdAt.toISOString(),
    };
  }

  return {
    getUser,
    async createUser(input: typeof CreateUserBody.static): Promise<User> {
      const timeZone = input.timeZone ?? "Europe/Paris";
      if (!isTimeZone(timeZone)) throw badRequest(ErrorCode.INVALID_INPUT, `timeZone: "${timeZone}" is not an IANA time zone`);
      try {
        const [created] = await db
          .insert(users)
          .values({
            email: input.email.trim(),
            name: input.name.trim(),
            role: input.role ?? "mentor",
            timeZone,
            locale: input.locale ?? "fr",
            createdAt: clock.now(),
            updatedAt: clock.now(),
          })
          .returning({ id: users.id });
        return getUser(created!.id);
      } catch (error) {
        if (sqlState(error) === "23505") throw conflict(ErrorCode.USER_ALREADY_EXISTS, `A user with e-mail ${input.email} already exists`);
        throw error;
      }
    },
  };
}
